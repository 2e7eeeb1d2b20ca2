import { HttpStatusError } from '../wechat/client';

/** The SMS gateway: sends templated messages to mainland mobile numbers. */
export interface SmsClient {
  /** Throws HttpStatusError when the gateway refused the message (safe to retry); any other error leaves it unknown. */
  send(message: { phone: string; template: 'verification_code' | 'outage_notice' | 'workorder_progress'; params: Record<string, string> }): Promise<void>;
}

export function createSmsClient(options: { url: string; apiKey: string; timeoutMs?: number }): SmsClient {
  return {
    async send(message) {
      const response = await fetch(`${options.url}/send`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Api-Key': options.apiKey },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (!response.ok) throw new HttpStatusError(response.status);
      await response.arrayBuffer();
    },
  };
}
