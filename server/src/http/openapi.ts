import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { endpoints, ErrorEnvelopeSchema, type Endpoint } from '../../../shared/contracts';

const SECURITY: Record<Endpoint['auth'], Record<string, string[]>[] | undefined> = {
  none: undefined,
  customer: [{ customerToken: [] }],
  staff: [{ staffToken: [] }],
  signature: [{ signature: [] }],
  terminal: [{ terminalSignature: [] }],
};

/** The OpenAPI 3.1 document, generated from the same zod contracts the server validates with. */
export function buildOpenApiDocument(version: string): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'customerToken', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'staffToken', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'signature', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Signature',
    description: 'Caller-specific signature over the raw body; see the integration guides.',
  });
  registry.registerComponent('securitySchemes', 'terminalSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Signature',
    description:
      'Payment terminals: base64 HMAC-SHA256, keyed with the terminal secret, over "METHOD\\nPATH\\nX-Timestamp\\nX-Nonce\\nhex(sha256(raw body))\\n", with X-Terminal-Id, X-Timestamp (Unix seconds, within 5 minutes) and X-Nonce (never reused). See docs/terminal-api.md.',
  });
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: ErrorEnvelopeSchema } },
  });
  for (const endpoint of endpoints) {
    const extra = Object.fromEntries(
      Object.entries(endpoint.statuses ?? {}).map(([status, description]) => [status, Number(status) >= 400 ? errorResponse(description) : { description }]),
    );
    registry.registerPath({
      method: endpoint.method,
      path: endpoint.path,
      summary: endpoint.summary,
      tags: [endpoint.tag],
      security: SECURITY[endpoint.auth],
      request: {
        ...(endpoint.body ? { body: { content: { 'application/json': { schema: endpoint.body as z.ZodType } } } } : {}),
        ...(endpoint.query ? { query: endpoint.query as z.ZodObject } : {}),
        ...(endpoint.params ? { params: endpoint.params as z.ZodObject } : {}),
        ...(endpoint.headers ? { headers: endpoint.headers } : {}),
      },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: endpoint.response } } },
        ...(endpoint.body || endpoint.query || endpoint.params ? { 400: errorResponse('invalid input') } : {}),
        ...extra,
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Power customer channel API', version },
  });
}
