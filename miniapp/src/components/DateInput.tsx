import './DateInput.scss';

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** Earliest date allowed, "YYYY-MM-DD". */
  start?: string;
  testId?: string;
}

/**
 * H5: the browser's own date control, which phones show as their native date wheel. The
 * mini-program has its picker instead (DateInput.weapp.tsx); both give "YYYY-MM-DD".
 */
export function DateInput({ value, onChange, start, testId }: Props) {
  return <input className="date-input" type="date" value={value} min={start} onChange={(event) => onChange(event.target.value)} data-testid={testId} />;
}
