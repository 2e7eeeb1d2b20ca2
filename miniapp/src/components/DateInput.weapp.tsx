import { Picker, Text } from '@tarojs/components';
import './DateInput.scss';

interface Props {
  value: string;
  onChange: (value: string) => void;
  start?: string;
  testId?: string;
}

/** The mini-program's date picker; the H5 page uses the browser's date control (DateInput.tsx). */
export function DateInput({ value, onChange, start, testId }: Props) {
  return (
    <Picker mode="date" value={value} start={start} onChange={(event) => onChange(event.detail.value)} data-testid={testId}>
      <Text className={`date-input ${value ? '' : 'date-input--empty'}`}>{value || '请选择日期'}</Text>
    </Picker>
  );
}
