/**
 * Every request the fuzz sends for one OpenAPI operation, generated from the operation's own
 * schemas with a fixed seed: auth variants, bad path, query and header parameters, one-field body
 * mutations over several valid bodies, malformed JSON and wrong content types.
 */
import fc from 'fast-check';
import { fieldMutations, fields, HUGE_STRING, resolver, setAt, toJson, valid, type Expect, type Schema } from './schema';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
export interface Operation {
  method: string;
  path: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** How the request proves who sends it; `valid` is resolved by the runner (a real token, or a real signature). */
export type Auth = 'valid' | 'none' | { authorization: string } | { headers: Record<string, string> };

export interface Case {
  op: string;
  kind: string;
  expect: Expect;
  auth: Auth;
  path: string;
  query: string;
  headers: Record<string, string>;
  /** A JSON value (serialised by `toJson`), or raw bytes sent as they are. */
  body?: { json: unknown } | { raw: string | Buffer; type: string };
}

export interface FuzzContext {
  /** Known-good values for path parameters by name (e.g. the fuzz customer's bound account). */
  pathDefaults: Record<string, string>;
  /** Known-good values for body fields by name, put into half the valid bodies so they get past lookups. */
  fieldDefaults: Record<string, unknown>;
  /** Bad Authorization header values for a bearer scheme, by scheme name: expired, wrong audience, … */
  badBearers: (scheme: string) => Array<{ kind: string; authorization: string }>;
  seed: number;
  /** Requests per operation for the cases the document forbids. */
  perOperation: number;
}

export const operationsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ ...operation, method, path })));
export const opName = (operation: { method: string; path: string }) => `${operation.method.toUpperCase()} ${operation.path}`;

const MALFORMED_JSON = ['{', '{"a":', '{"a":1,}', "{'a':1}", 'NaN', '{"a":undefined}', '\ufeff{}', '[{]}', '['.repeat(50_000), '{"a":"\\x"}', '{"a":"\\ud800"'];
const PATH_VALUES: Array<[string, string]> = [
  ['non-numeric', 'abc'],
  ['negative', '-1'],
  ['zero', '0'],
  ['fraction', '1.5'],
  ['traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['unicode', '%E9%9B%BB%F0%9F%98%80'],
  ['NUL', '%00'],
  ['lone percent', '%'],
  ['bad escape', '%ZZ'],
  ['truncated escape', '%E0%A4%A'],
  ['400 digits', '9'.repeat(400)],
  ['no such id: 2^31', '2147483648'],
  ['no such id: 2^31-1', '2147483647'],
  ['no such id: 2^53+1', '9007199254740993'],
  ['no such id: 2^63', '9223372036854775808'],
  ['exponent 1e30', '1e30'],
  ['Infinity', 'Infinity'],
  ['NaN', 'NaN'],
  ['null', 'null'],
  ['space', '%20'],
  ['hex', '0x7fffffff'],
  ['sql', "1'%20OR%20'1'='1"],
];
// Values no parameter with an enum, a pattern or a number type accepts; then values such a parameter may accept.
const QUERY_EDGES = ['2147483648', '9007199254740993', '0001-01', '9999-12', '1'];
const QUERY_VALUES = ['zzz', '%ZZ', '%E0%A4%A', '-1', '1.5', '9'.repeat(400), '%00', '%F0%9F%98%80', 'x'.repeat(6_000), '__proto__'];

export function casesFor(operation: Operation & { method: string; path: string }, doc: OpenApiDocument, context: FuzzContext): Case[] {
  const deref = resolver(doc);
  const op = opName(operation);
  const params = operation.parameters ?? [];
  const scheme = Object.keys(operation.security?.[0] ?? {})[0];
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const body = bodySchema ? deref(bodySchema) : undefined;
  const bodyRequired = body !== undefined && ((body.required?.length ?? 0) > 0 || (body.oneOf ?? body.anyOf) !== undefined);
  const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt: number) => fc.sample(arb, { seed: context.seed + salt, numRuns: n });

  const pathSchemas = params.filter((p) => p.in === 'path');
  const querySchemas = params.filter((p) => p.in === 'query');
  const headerSchemas = params.filter((p) => p.in === 'header');
  const pathValues = new Map<string, string>();
  const validPathValue = (p: Parameter) => {
    if (!pathValues.has(p.name)) pathValues.set(p.name, context.pathDefaults[p.name] ?? String(sample(valid(p.schema, deref), 1, 7)[0]));
    return pathValues.get(p.name)!;
  };
  const buildPath = (overrides: Record<string, string> = {}) =>
    operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => overrides[name] ?? validPathValue(pathSchemas.find((p) => p.name === name)!));
  const querySamples = querySchemas.map((p) => [p.name, sample(valid(p.schema, deref), 24, 11 + p.name.length)] as const);
  const validQuery = (i: number) =>
    querySamples
      .map(([name, values]) => [name, values[i]] as const)
      .filter(([, value], j) => (i + j) % 2 === 0 && value !== undefined)
      .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
      .join('&');
  const known = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(known);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, key in context.fieldDefaults ? context.fieldDefaults[key] : known(v)]));
  };
  const bases = body ? sample(valid(body, deref), 24, 3).map((base, i) => (i % 2 === 0 ? known(base) : base)) : [];

  const cases: Case[] = [];
  const add = (kind: string, expect: Expect, parts: Partial<Case> = {}) =>
    cases.push({ op, kind, expect, auth: 'valid', path: buildPath(), query: '', headers: {}, ...(body ? { body: { json: bases[0] } } : {}), ...parts });

  // Auth: every way of not being the right caller.
  if (scheme === 'customerToken' || scheme === 'staffToken') {
    add('no Authorization', 'reject', { auth: 'none' });
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'bearer x.y.z',
      'Basic YWRtaW46YWRtaW4=',
      'Bearer  x.y.z',
      'Bearer a'.padEnd(8_000, 'a'),
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
    ]) {
      add(`Authorization ${JSON.stringify(authorization.slice(0, 30))}`, 'reject', { auth: { authorization } });
    }
    for (const bad of context.badBearers(scheme)) add(bad.kind, 'reject', { auth: { authorization: bad.authorization } });
    for (const token of sample(fc.stringMatching(/^[\w.-]{1,300}$/), 12, 5)) add('garbage bearer', 'reject', { auth: { authorization: `Bearer ${token}` } });
  }
  if (scheme === 'signature' || scheme === 'terminalSignature') {
    add('no signature headers', 'reject', { auth: 'none' });
    const garbage = {
      'X-Terminal-Id': 'DEMO-BANK-001',
      'X-Timestamp': '1700000000',
      'X-Nonce': 'nonce-0123456789abcdef',
      'X-Signature': 'c2lnbmF0dXJl',
      'Wechatpay-Signature': 'c2ln',
      'Wechatpay-Timestamp': '1700000000',
      'Wechatpay-Nonce': 'n',
      'Wechatpay-Serial': 'PUB_KEY_ID_x',
    };
    add('garbage signature', 'reject', { auth: { headers: garbage } });
    for (const p of headerSchemas) {
      for (const value of ['', 'x'.repeat(4_000), 'abc', '-1', '99999999999999999999', '%00', 'DEMO-BANK-001\\x']) {
        add(`header ${p.name}=${JSON.stringify(value.slice(0, 20))}`, 'reject', { auth: { headers: { ...garbage, [p.name]: value } } });
      }
    }
    for (const signature of sample(fc.base64String({ maxLength: 200 }), 12, 9))
      add('random signature', 'reject', { auth: { headers: { ...garbage, 'X-Signature': signature } } });
  }

  // Path parameters: not numbers, out of range, escapes the router must survive.
  for (const p of pathSchemas) {
    const s = deref(p.schema);
    for (const [kind, value] of PATH_VALUES) {
      const n = Number(decodeURIComponentSafe(value));
      const validInt = s.type === 'integer' && Number.isSafeInteger(n) && n > 0 && !kind.startsWith('no such id');
      add(`path ${p.name}: ${kind}`, validInt || s.type !== 'integer' ? 'any' : 'reject', { path: buildPath({ [p.name]: value }) });
    }
    if (s.pattern)
      for (const value of ['2026-13', '0000-00', '2026-1', '２０２６-０１'])
        add(`path ${p.name}: ${value}`, 'reject', { path: buildPath({ [p.name]: encodeURIComponent(value) }) });
    // Small ids name rows that exist (seeded, or made earlier in the run), so valid input reaches the services.
    if (s.type === 'integer') for (const id of ['1', '2', '3']) add(`path ${p.name}: small id ${id}`, 'any', { path: buildPath({ [p.name]: id }) });
    for (const value of sample(valid(s, deref), 8, 17))
      add(`path ${p.name}: valid ${String(value)}`, 'any', { path: buildPath({ [p.name]: encodeURIComponent(String(value)) }) });
  }

  // Query parameters: values the schema forbids, repeated names, unknown names.
  for (const p of querySchemas) {
    const s = deref(p.schema);
    const restricted = s.enum !== undefined || s.pattern !== undefined || s.type === 'integer' || s.type === 'boolean';
    for (const value of QUERY_VALUES) add(`query ${p.name}=${value.slice(0, 12)}`, restricted ? 'reject' : 'any', { query: `${p.name}=${value}` });
    for (const value of QUERY_EDGES) add(`query ${p.name}=${value}`, 'any', { query: `${p.name}=${value}` });
    add(`query ${p.name} repeated`, restricted ? 'reject' : 'any', { query: `${p.name}=a&${p.name}=b` });
    // Koa's query parser takes `name[a]` as another, unknown name: the endpoint may well answer 200.
    add(`query ${p.name}[a]`, 'any', { query: `${p.name}[a]=1` });
  }
  if (operation.method !== 'get') {
    for (const key of ['', 'x', 'k'.repeat(300), '%00'])
      add(`Idempotency-Key ${JSON.stringify(key.slice(0, 8))}`, 'any', { headers: { 'Idempotency-Key': key } });
  }
  add('unknown query parameters', 'any', { query: 'unknown=1&__proto__[x]=1&constructor=1' });

  // Bodies that are not JSON, or not the JSON the operation takes.
  for (const text of MALFORMED_JSON) add(`malformed JSON ${JSON.stringify(text.slice(0, 12))}`, 'reject', { body: { raw: text, type: 'application/json' } });
  // Uploads (multipart, outside the JSON schemas): broken framing, hostile names, a field where the file should be.
  if (operation.method === 'post') {
    const part = (headers: string, content: string) => `--zz\r\n${headers}\r\n\r\n${content}\r\n`;
    const png = '\x89PNG\r\n\x1a\n' + 'x'.repeat(64);
    const multipart = [
      part('Content-Disposition: form-data; name="kind"', 'id_card') +
        part('Content-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png', png) +
        '--zz--\r\n',
      part('Content-Disposition: form-data; name="kind"', 'id_card') + part('Content-Disposition: form-data; name="file"; filename="a.png"', png),
      part('Content-Disposition: form-data; name="file"; filename="../../etc/passwd\u0000.png"', png) + '--zz--\r\n',
      part('Content-Disposition: form-data; name="kind"', 'k'.repeat(50_000)) + '--zz--\r\n',
      part('Content-Disposition: form-data; name="file"', png) + '--zz--\r\n',
      '--other\r\n\r\n--other--',
    ];
    for (const [i, raw] of multipart.entries())
      add(`multipart #${i}`, bodyRequired ? 'reject' : 'any', { body: { raw: Buffer.from(raw, 'latin1'), type: 'multipart/form-data; boundary=zz' } });
  }
  const deep = 20_000;
  add('deeply nested JSON', body?.type === 'object' || bodyRequired ? 'reject' : 'any', {
    body: { raw: `${'['.repeat(deep)}${']'.repeat(deep)}`, type: 'application/json' },
  });
  add('JSON with a __proto__ key', 'any', { body: { raw: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', type: 'application/json' } });
  add('invalid UTF-8 in JSON', 'reject', {
    body: { raw: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0xc3]), type: 'application/json' },
  });
  // A gateway-style form post with a forged signature (Alipay notifies this way).
  add('forged form post', bodyRequired ? 'reject' : 'any', {
    body: {
      raw: 'notify_id=1&sign_type=RSA2&sign=Zm9yZ2Vk&trade_status=TRADE_SUCCESS&out_trade_no=P1&total_amount=0.01&app_id=x',
      type: 'application/x-www-form-urlencoded',
    },
  });
  const validText = body ? toJson(bases[0]) : '{}';
  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', 'application/octet-stream']) {
    add(`content-type ${type}`, bodyRequired ? 'reject' : 'any', { body: { raw: validText, type } });
  }
  if (body) {
    for (const json of [null, [], 'text', 42, true, [bases[0]]])
      add(`body ${JSON.stringify(json)}`, bodyRequired || (json !== null && body.type === 'object') ? 'reject' : 'any', { body: { json } });
    add('empty JSON body', bodyRequired ? 'reject' : 'any', { body: { raw: '', type: 'application/json' } });
    add('huge body', 'any', { body: { json: { ...(bases[0] as object), pad: HUGE_STRING } } });
    add('extra fields', 'any', { body: { json: { ...(bases[0] as object), extra: 1, __proto__x: { a: 1 }, constructor: 'x' } } });
    for (const [i, base] of bases.entries()) add(`valid body #${i}`, 'any', { body: { json: base }, query: validQuery(i) });
  }

  // One field at a time, over ever more valid bodies, until the operation's budget is spent.
  const target = context.perOperation;
  for (let round = 0; body && cases.filter((c) => c.expect === 'reject').length < target && round < bases.length; round += 1) {
    const base = bases[round];
    for (const field of fields(body, base, deref)) {
      if (field.required) add(`missing ${field.path.join('.')}`, 'reject', { body: { json: setAt(base, field.path, undefined, true) } });
      for (const mutation of fieldMutations(field.schema, field.required)) {
        // Later rounds repeat only what must be refused: input that may succeed runs the whole service (a staff login hashes).
        if (round > 0 && (mutation.value === HUGE_STRING || mutation.expect === 'any')) continue;
        add(`${field.path.join('.')}: ${mutation.kind}`, mutation.expect, { body: { json: setAt(base, field.path, mutation.value) } });
      }
    }
  }
  // Operations with little to mutate get more random garbage instead.
  const garbage = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.stringMatching(/^[\x21-\x7e]{1,40}$/));
  for (const [i, text] of sample(garbage, Math.max(0, target - cases.filter((c) => c.expect === 'reject').length), 13).entries()) {
    const segment = encodeURIComponent(text);
    const p = pathSchemas[i % Math.max(1, pathSchemas.length)];
    const n = Number(text);
    if (p && i % 2 === 0 && segment !== '')
      add('random path segment', deref(p.schema).type === 'integer' && !(Number.isSafeInteger(n) && n > 0) ? 'reject' : 'any', {
        path: buildPath({ [p.name]: segment }),
      });
    else add('random malformed JSON', 'reject', { body: { raw: `{"${text.replace(/["\\]/g, '')}":`, type: 'application/json' } });
  }
  return cases;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
