/** The SMS gateway: sends templated messages to mainland mobile numbers. */
export interface SmsClient {
  send(message: { phone: string; template: 'verification_code'; params: Record<string, string> }): Promise<void>;
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
      if (!response.ok) throw new Error(`SMS gateway answered HTTP ${response.status}`);
      await response.arrayBuffer();
    },
  };
}
