/** HTTP on loopback for the benchmarks: keep-alive connections, whole replies, multipart uploads and a sample request. */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

export interface Reply {
  status: number;
  text: string;
  /** The reply parsed as JSON, or undefined when it is not JSON. */
  body: any;
}

export interface RequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** A client of up to `maxSockets` keep-alive connections; `request` resolves with any status and rejects only on a network error. */
export function createHttpClient(maxSockets: number) {
  // Idle sockets are dropped before the server's 5-second keep-alive ends, so a request never
  // races the server closing the socket under it.
  const agent = new http.Agent({ keepAlive: true, maxSockets, timeout: 4_000 });
  function request(url: string, options: RequestOptions): Promise<Reply> {
    const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(options.body)) }) };
    return new Promise((resolve, reject) => {
      const sent = http.request(url, { method: options.method, headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: response.statusCode ?? 0, text, body });
        });
        response.on('error', reject);
      });
      sent.on('error', reject);
      sent.end(options.body);
    });
  }
  return { request, close: () => agent.destroy() };
}

export function multipart(fields: Record<string, string>, file: { name: string; type: string; bytes: Buffer }) {
  const boundary = `----bench${randomUUID()}`;
  const parts: Buffer[] = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  parts.push(
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A real 1×1 PNG (the server checks the content, not the name). */
export const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A complaint carrying one uploaded document. */
export const complaint = (documentId: number) => ({
  type: 'complaint',
  form: { subject: '抄表员未按时抄表', description: '本月抄表员没有上门抄表，账单显示为估抄，请核实处理。', contactPhone: '13800000000' },
  documents: [documentId],
});
