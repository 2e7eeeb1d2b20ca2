import { callJson } from '../http';

/** The SMS gateway: sends templated messages to mainland mobile numbers. */
export interface SmsClient {
  /** Throws HttpStatusError when the gateway refused the message (safe to retry); any other error leaves it unknown. */
  send(message: {
    phone: string;
    template:
      | 'verification_code'
      | 'outage_notice'
      | 'workorder_progress'
      | 'payment_receipt'
      | 'outage_optin_confirm'
      | 'workorder_optin_confirm'
      | 'payment_optin_confirm';
    params: Record<string, string>;
  }): Promise<void>;
}

export function createSmsClient(options: { url: string; apiKey: string; timeoutMs?: number }): SmsClient {
  return {
    async send(message) {
      await callJson(`${options.url}/send`, { headers: { 'X-Api-Key': options.apiKey }, body: message, timeoutMs: options.timeoutMs });
    },
  };
}
