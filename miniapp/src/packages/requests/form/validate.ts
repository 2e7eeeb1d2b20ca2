import type { z } from 'zod';
import type { RequestType } from '../../../../../shared/requests/catalog';
import { REQUEST_FORMS } from '../../../../../shared/requests/forms';
import { visibleFields, type FieldSpec } from './fields';

/** What the customer has typed or picked, as text, by field name. */
export type RawForm = Record<string, string>;
export type FormErrors = Record<string, string>;
export type FormOf<T extends RequestType> = z.output<(typeof REQUEST_FORMS)[T]>;

const HAS_CHINESE = /[\u4e00-\u9fff]/;
const ASKED_BY_PICKING = new Set(['choice', 'account', 'date']);

/** The values the shared form expects, from the text the controls hold; an empty control is left out. */
export function toFormValues(fields: FieldSpec[], raw: RawForm): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of visibleFields(fields, raw)) {
    const text = (raw[field.name] ?? '').trim();
    if (text === '') continue;
    switch (field.kind) {
      case 'integer':
      case 'decimal':
      case 'account':
        values[field.name] = Number(text);
        break;
      case 'choice':
        values[field.name] = field.options.find((option) => String(option.value) === text)?.value ?? text;
        break;
      default:
        values[field.name] = raw[field.name];
    }
  }
  return values;
}

/**
 * A person's words for a refused value. The shared form's own messages are Chinese and win; the
 * rest (types, number ranges, date format, the phone pattern) are said here, from the field's kind.
 */
function messageFor(issue: z.core.$ZodIssue, field: FieldSpec | undefined, raw: RawForm): string {
  if (HAS_CHINESE.test(issue.message)) return issue.message;
  if (!field) return '填写的内容有误';
  if ((raw[field.name] ?? '').trim() === '') return `${ASKED_BY_PICKING.has(field.kind) ? '请选择' : '请填写'}${field.label}`;
  if (field.invalid) return field.invalid;
  switch (field.kind) {
    case 'phone':
      return '请填写 11 位手机号';
    case 'date':
      return '请选择正确的日期';
    case 'integer':
    case 'decimal':
      if (issue.code === 'too_small') return `不能小于 ${String(issue.minimum)}`;
      if (issue.code === 'too_big') return `不能大于 ${String(issue.maximum)}`;
      return field.kind === 'integer' ? '请填写整数' : '请填写数字';
    default:
      return `${field.label}填写有误`;
  }
}

/**
 * Checks a form with the same zod schema the server uses. Returns the parsed form when it passes,
 * and one message per refused field (the first the schema reports).
 */
export function checkForm<T extends RequestType>(type: T, fields: FieldSpec[], raw: RawForm): { form?: FormOf<T>; errors: FormErrors } {
  const result = REQUEST_FORMS[type].safeParse(toFormValues(fields, raw));
  if (result.success) return { form: result.data as FormOf<T>, errors: {} };
  const errors: FormErrors = {};
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '');
    if (!(name in errors))
      errors[name] = messageFor(
        issue,
        fields.find((field) => field.name === name),
        raw,
      );
  }
  return { errors };
}
