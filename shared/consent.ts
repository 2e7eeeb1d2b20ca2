/**
 * Published versions of the user agreement and privacy policy, newest last. The login pages show
 * the newest; every login names the version the customer agreed to, and the server records it.
 * Kept apart from the contracts so the pages can import it without zod.
 */
export const CONSENT_VERSIONS = ['2026-12'] as const;
export const CONSENT_VERSION = CONSENT_VERSIONS[CONSENT_VERSIONS.length - 1]!;
