import Taro from '@tarojs/taro';
import { useMemo, useState } from 'react';
import type { RequestType } from '../../../../../shared/requests/catalog';
import type { RequestSubmission } from '../../../../../shared/requests/forms';
import { useAction } from '../../../hooks/useAction';
import { detailUrl } from '../../../serviceRequests';
import { api } from '../../../services';
import { visibleFields, type FieldSpec } from './fields';
import { checkForm, type FormErrors, type RawForm } from './validate';

/**
 * A request form's state: the text in each control, checked with the shared schema on every change.
 * A field's message shows once the customer has touched it, or once they try to go on.
 */
export function useRequestForm<T extends RequestType>(type: T, fields: FieldSpec[], initial: RawForm = {}) {
  const [raw, setRaw] = useState<RawForm>(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const { form, errors } = useMemo(() => checkForm(type, fields, raw), [type, fields, raw]);
  const shown: FormErrors = Object.fromEntries(Object.entries(errors).filter(([name]) => touched.has(name)));
  return {
    raw,
    visible: visibleFields(fields, raw),
    form,
    errors,
    shown,
    set(name: string, value: string) {
      setRaw((current) => ({ ...current, [name]: value }));
      setTouched((current) => new Set(current).add(name));
    },
    /** Puts in values the page knows (the default account, the contracted capacity) without showing messages. */
    fill(values: RawForm) {
      setRaw((current) => ({ ...current, ...values }));
    },
    /** Shows the messages of these fields; true when none of them has one. */
    touch(names: string[]) {
      setTouched((current) => new Set([...current, ...names]));
      return names.every((name) => !errors[name]);
    },
  };
}

/** A key for one draft: made once per form, so a double tap or a retry files one order. */
export const newDraftKey = () => `draft-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;

/** Files a request under the draft's Idempotency-Key, then shows the new order in place of the form. */
export function useSubmitRequest() {
  const [key] = useState(newDraftKey);
  const { busy, error, fieldErrors, run } = useAction();
  const submit = (submission: RequestSubmission) =>
    run(async () => {
      const { order } = await api.call('submitRequest', { body: submission, headers: { 'Idempotency-Key': key } });
      void Taro.showToast({ title: '已提交', icon: 'success' });
      await Taro.redirectTo({ url: detailUrl(order.id) });
    });
  return { busy, error, fieldErrors, submit };
}
