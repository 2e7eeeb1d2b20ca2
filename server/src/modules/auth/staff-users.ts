/**
 * Staff accounts made by an operator (`npm run staff:create`): production has no seeded staff, so
 * this is how the first administrator exists. Passwords are hashed like every staff password
 * (./password) and never leave this function.
 */
import type { Database } from '../../db/database';
import { staffUsers } from '../../db/schema';
import { assignGridManager } from '../workorders/published';
import { hashPassword } from './password';

/** The roles the API's endpoints check (shared/contracts: back_office, grid_manager, admin). */
export const STAFF_ROLES = ['admin', 'back_office', 'grid_manager'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const PASSWORD_MIN_LENGTH = 12;
const PASSWORD_MAX_LENGTH = 256; // the login endpoint's limit

/** Refused input: `exists` for a taken username, `invalid` for anything else. */
export class StaffUserError extends Error {
  override name = 'StaffUserError';
  constructor(
    message: string,
    readonly kind: 'invalid' | 'exists',
  ) {
    super(message);
  }
}

/**
 * Why a password is too weak, or undefined: 12+ characters, not the username, not one repeated
 * pattern, and three kinds of character (lower, upper, digit, other) unless it is a 20+ character passphrase.
 */
export function passwordProblem(password: string, username: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `the password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `the password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (password.toLowerCase().includes(username.toLowerCase())) return 'the password must not contain the username';
  if (new Set(password).size < 6) return 'the password repeats too few characters';
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((kind) => kind.test(password)).length;
  if (kinds < 3 && length < 20) return 'the password needs three of: lower case, upper case, digits, other characters (or 20+ characters)';
  return undefined;
}

export interface NewStaffUser {
  username: string;
  displayName: string;
  roles: string[];
  password: string;
  /** Service grids this person manages: new work orders of their areas go to them. */
  grids: string[];
}

/** Refuses bad input before anything is touched (the command checks before it opens a database). */
export function checkNewStaffUser(input: NewStaffUser): StaffRole[] {
  const { username, displayName, password } = input;
  if (!/^[a-z0-9][a-z0-9._-]{1,31}$/.test(username))
    throw new StaffUserError(`username "${username}" must be 2–32 lower-case letters, digits, ".", "_" or "-"`, 'invalid');
  const displayLength = [...displayName.trim()].length;
  if (displayLength < 1 || displayLength > 32) throw new StaffUserError('the display name must be 1–32 characters', 'invalid');
  const roles = [...new Set(input.roles)];
  if (roles.length === 0) throw new StaffUserError(`give at least one role: ${STAFF_ROLES.join(', ')}`, 'invalid');
  const unknown = roles.find((role) => !(STAFF_ROLES as readonly string[]).includes(role));
  if (unknown) throw new StaffUserError(`unknown role "${unknown}"; roles are ${STAFF_ROLES.join(', ')}`, 'invalid');
  const weak = passwordProblem(password, username);
  if (weak) throw new StaffUserError(weak, 'invalid');
  return roles as StaffRole[];
}

/** Creates the user (and their grids' manager link) in one transaction; refuses bad input and a taken username. */
export async function createStaffUser(database: Database, input: NewStaffUser): Promise<{ id: number; username: string; roles: StaffRole[] }> {
  const { username, displayName, password, grids } = input;
  const roles = checkNewStaffUser(input);
  const passwordHash = await hashPassword(password);
  return database.transaction(async ({ db }) => {
    const [created] = await db
      .insert(staffUsers)
      .values({ username, displayName: displayName.trim(), passwordHash, roles })
      .onConflictDoNothing({ target: staffUsers.username })
      .returning({ id: staffUsers.id });
    if (!created) throw new StaffUserError(`staff user "${username}" already exists; nothing was changed`, 'exists');
    const { id } = created;
    if (grids.length > 0) {
      const updated = await assignGridManager(db, id, grids);
      const missing = grids.filter((code) => !updated.includes(code));
      // Thrown inside the transaction: the user is not created either.
      if (missing.length > 0) throw new StaffUserError(`no service grid ${missing.join(', ')}; nothing was changed`, 'invalid');
    }
    return { id, username, roles };
  });
}
