/**
 * JSON Schema (the subset the OpenAPI document uses for requests) → fast-check: valid-ish values,
 * and mutations of a value that break exactly one field. Each mutation says whether the document
 * forbids it (`reject`: any 2xx is a bug) or may allow it (`any`: e.g. an extra field, which zod strips).
 */
import fc from 'fast-check';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

export type Expect = 'reject' | 'any';
export interface Mutation {
  kind: string;
  value: unknown;
  expect: Expect;
}

/** A placeholder JSON.stringify cannot express (`1e400`, `-0`), spliced into the text by `toJson`. */
export const raw = (text: string) => `\u0001RAW:${text}\u0001`;
export const toJson = (value: unknown) => JSON.stringify(value).replace(/"\\u0001RAW:([^\\]*)\\u0001"/g, '$1');

export const HUGE_STRING = '電'.repeat(34_000); // ~100 KB as UTF-8
/** Strings that are hostile to a database, a regex, a log line or a terminal, none of them huge. */
export const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '😀🇨🇳👩‍👩‍👧',
  '\u202eevil',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00',
  '\r\nX-Injected: 1',
  '<script>',
  '　',
  '\ufeff',
  'ｆｕｌｌ',
];
const EDGE_DATES = ['0001-01-01', '1900-01-01', '1969-12-31', '2024-02-29', '2099-12-31', '9999-12-31'];
const HUGE_NUMBERS = [2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e20, 1e308, -1e308, Number.MAX_SAFE_INTEGER];

export function resolver(doc: { components?: { schemas?: Record<string, Schema> } }) {
  return function deref(schema: Schema): Schema {
    let current = schema;
    while (current.$ref) current = doc.components!.schemas![current.$ref.replace('#/components/schemas/', '')]!;
    return current;
  };
}
type Deref = ReturnType<typeof resolver>;

const typeOf = (schema: Schema) => (Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type);
const allowsNull = (schema: Schema) =>
  (Array.isArray(schema.type) && schema.type.includes('null')) || [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some((s) => s.type === 'null');
const isoDate = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true });

/** Values the schema accepts (as far as the subset goes: cross-field rules are not in the document). */
export function valid(schema: Schema, deref: Deref): fc.Arbitrary<unknown> {
  const s = deref(schema);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.oneOf ?? s.anyOf;
  if (branches) return fc.oneof(...branches.filter((b) => b.type !== 'null').map((b) => valid(b, deref)));
  if (s.allOf) return valid(s.allOf[0]!, deref);
  switch (typeOf(s)) {
    case 'string': {
      if (s.format === 'date') return isoDate.map((d) => d.toISOString().slice(0, 10));
      if (s.format === 'date-time') return isoDate.map((d) => d.toISOString());
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      const minLength = s.minLength ?? 0;
      return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? 24, 24)) }).filter((t) => t.trim().length >= minLength);
    }
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      return fc.integer({ min, max: s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : min + 10_000) });
    }
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? 0;
      return fc.double({ min, max: s.maximum ?? min + 10_000, noNaN: true, noDefaultInfinity: true, minExcluded: s.exclusiveMinimum !== undefined });
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(s.items ?? {}, deref), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)) });
    case 'object': {
      const props = s.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([key, sub]) => [key, valid(sub, deref)]));
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((key) => key in props) });
    }
    default:
      return fc.constant('x');
  }
}

/** The branch of a oneOf/anyOf that `value` was made from: the one whose single-valued enums it matches. */
function branchFor(schema: Schema, value: unknown, deref: Deref): Schema {
  const s = deref(schema);
  const branches = s.oneOf ?? s.anyOf;
  if (!branches) return s;
  const fits = (branch: Schema) =>
    Object.entries(deref(branch).properties ?? {}).every(([key, sub]) => {
      const d = deref(sub);
      return !(d.enum?.length === 1) || (value as Record<string, unknown>)?.[key] === d.enum[0];
    });
  return deref(branches.find(fits) ?? branches[0]!);
}

/** Every field of `value` (nested objects included) with the schema that governs it. */
export function fields(schema: Schema, value: unknown, deref: Deref, path: string[] = []): Array<{ path: string[]; schema: Schema; required: boolean }> {
  const s = branchFor(schema, value, deref);
  if (typeOf(s) !== 'object' || !s.properties || typeof value !== 'object' || value === null) return [];
  return Object.entries(s.properties).flatMap(([key, sub]) => {
    const here = { path: [...path, key], schema: branchFor(sub, (value as Record<string, unknown>)[key], deref), required: (s.required ?? []).includes(key) };
    return [here, ...fields(sub, (value as Record<string, unknown>)[key], deref, here.path)];
  });
}

const anchored = (pattern?: string) => pattern !== undefined && pattern.startsWith('^') && pattern.endsWith('$');

/** Values for one field that break it, each labelled with whether the document forbids it. */
export function fieldMutations(schema: Schema, _required: boolean): Mutation[] {
  const out: Mutation[] = [];
  const add = (kind: string, value: unknown, expect: Expect) => out.push({ kind, value, expect });
  const restricted = schema.enum !== undefined || schema.const !== undefined || anchored(schema.pattern) || schema.format !== undefined;
  if (!allowsNull(schema)) add('null', null, 'reject');
  const type = typeOf(schema);
  if (schema.oneOf || schema.anyOf) {
    add('wrong type: object', { nested: [1] }, 'reject');
    return out;
  }
  switch (type) {
    case 'string':
      for (const wrong of [12345, true, { a: 1 }, ['a']]) add(`wrong type: ${JSON.stringify(wrong)}`, wrong, 'reject');
      if (schema.maxLength !== undefined) add('one char too long', 'x'.repeat(schema.maxLength + 1), 'reject');
      add('huge string', HUGE_STRING, (schema.maxLength ?? Infinity) < HUGE_STRING.length || restricted ? 'reject' : 'any');
      if ((schema.minLength ?? 0) > 0 || restricted) add('empty string', '', 'reject');
      // Dates the format allows but the domain (calendars, tariffs, the metering system) may not cover.
      if (schema.format === 'date') for (const date of EDGE_DATES) add(`edge date ${date}`, date, 'any');
      if (schema.format === 'date-time') for (const date of EDGE_DATES) add(`edge instant ${date}`, `${date}T00:00:00Z`, 'any');
      if (schema.format === 'date') for (const date of ['2026-02-30', '2026-13-01', '26-01-01', '2026-1-1']) add(`impossible date ${date}`, date, 'reject');
      for (const nasty of NASTY_STRINGS) add(`nasty string ${JSON.stringify(nasty)}`, nasty, restricted ? 'reject' : 'any');
      break;
    case 'integer':
    case 'number': {
      for (const wrong of ['12', 'NaN', 'Infinity', true, { a: 1 }, [1]]) add(`wrong type: ${JSON.stringify(wrong)}`, wrong, 'reject');
      const min = schema.minimum ?? schema.exclusiveMinimum;
      const max = schema.maximum ?? schema.exclusiveMaximum;
      if (min !== undefined) add('below minimum', min - 1, 'reject');
      if (max !== undefined) add('above maximum', max + 1, 'reject');
      if (type === 'integer') add('fraction', 1.5, 'reject');
      if (schema.enum) add('not in enum', 9_999, 'reject');
      add('1e400 (Infinity when parsed)', raw('1e400'), 'reject');
      add('-0', raw('-0'), schema.exclusiveMinimum !== undefined && schema.exclusiveMinimum >= 0 ? 'reject' : 'any');
      for (const huge of HUGE_NUMBERS) {
        const outOfRange =
          (min !== undefined && huge < min) ||
          (max !== undefined && huge > max) ||
          (type === 'integer' && !Number.isSafeInteger(huge)) ||
          schema.enum !== undefined;
        add(`huge number ${huge}`, huge, outOfRange ? 'reject' : 'any');
      }
      break;
    }
    case 'boolean':
      for (const wrong of ['true', 1, 0, { a: 1 }]) add(`wrong type: ${JSON.stringify(wrong)}`, wrong, 'reject');
      break;
    case 'array':
      for (const wrong of ['a', { 0: 1 }, 1]) add(`wrong type: ${JSON.stringify(wrong)}`, wrong, 'reject');
      if (schema.maxItems !== undefined)
        add(
          'too many items',
          Array.from({ length: schema.maxItems + 1 }, (_, i) => i + 1),
          'reject',
        );
      if (schema.items && typeOf(schema.items)) add('items of the wrong type', [{ bad: true }], 'reject');
      break;
    case 'object':
      for (const wrong of ['a', [{}], 7]) add(`wrong type: ${JSON.stringify(wrong)}`, wrong, 'reject');
      break;
  }
  return out;
}

export function setAt(value: unknown, path: string[], replacement: unknown, remove = false): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (remove) delete node[last];
  else node[last] = replacement;
  return copy;
}
