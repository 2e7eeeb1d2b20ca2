import { useState } from 'react';
import { describeError, fieldErrorsOf } from '../services';

/**
 * Runs a form's action once at a time, keeping the busy flag, the readable error and, for a
 * refused body, the message of each refused field (to show under that field) for the page.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      await work();
    } catch (err) {
      setError(describeError(err));
      setFieldErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, fieldErrors, run };
}
