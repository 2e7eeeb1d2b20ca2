import { Input, Text, Textarea, View } from '@tarojs/components';
import type { Account } from '../../../../../shared/contracts/accounts';
import { DateInput } from '../../../components/DateInput';
import '../../../components/Form.scss';
import { chinaDate } from '../../../time';
import type { FieldSpec } from '../form/fields';
import type { FormErrors, RawForm } from '../form/validate';
import './FormFields.scss';

interface Props {
  fields: FieldSpec[];
  raw: RawForm;
  /** Messages to show now (the page decides which fields have been touched). */
  errors: FormErrors;
  onChange: (name: string, value: string) => void;
  /** The customer's bound accounts, for account fields. */
  accounts?: Account[];
}

const INPUT_TYPE = { phone: 'number', integer: 'number', decimal: 'digit', text: 'text' } as const;

function Choices({
  name,
  options,
  value,
  onChange,
}: {
  name: string;
  options: Array<{ value: string; label: string }>;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <View className="choices">
      {options.map((option) => (
        <Text
          key={option.value}
          className={`choices__item ${value === option.value ? 'choices__item--active' : ''}`}
          onClick={() => onChange(option.value)}
          data-testid={`field-${name}-${option.value || 'none'}`}
        >
          {option.label}
        </Text>
      ))}
    </View>
  );
}

/** The controls of a request form, one per field, each with its message under it. */
export function FormFields({ fields, raw, errors, onChange, accounts = [] }: Props) {
  const today = chinaDate(new Date().toISOString());
  return (
    <View className="form-fields">
      {fields.map((field) => {
        const value = raw[field.name] ?? '';
        const set = (next: string) => onChange(field.name, next);
        const label = (
          <Text className="field__label">
            {field.label}
            {field.optional && <Text className="field__optional">（选填）</Text>}
          </Text>
        );
        let control;
        let stacked = false;
        switch (field.kind) {
          case 'textarea':
            stacked = true;
            control = (
              <Textarea
                className="field__textarea"
                value={value}
                placeholder={field.placeholder}
                maxlength={1000}
                onInput={(event) => set(event.detail.value)}
                data-testid={`field-${field.name}`}
              />
            );
            break;
          case 'choice':
            stacked = true;
            control = (
              <Choices
                name={field.name}
                value={value}
                onChange={set}
                options={field.options.map((option) => ({ value: String(option.value), label: option.label }))}
              />
            );
            break;
          case 'account':
            stacked = true;
            control = accounts.length ? (
              <Choices
                name={field.name}
                value={value}
                onChange={set}
                options={[
                  ...(field.optional ? [{ value: '', label: '不指定' }] : []),
                  ...accounts.map((account) => ({
                    value: String(account.id),
                    label: field.withAddress ? `${account.accountNo} ${account.addressMasked}` : account.accountNo,
                  })),
                  ...(field.otherLabel ? [{ value: '', label: field.otherLabel }] : []),
                ]}
              />
            ) : (
              <Text className="field__hint">没有可选的户号</Text>
            );
            break;
          case 'date':
            control = (
              <View className="field__input">
                <DateInput value={value} onChange={set} start={today} testId={`field-${field.name}`} />
              </View>
            );
            break;
          default:
            control = (
              <>
                <Input
                  className="field__input"
                  type={INPUT_TYPE[field.kind]}
                  value={value}
                  placeholder={field.placeholder}
                  onInput={(event) => set(event.detail.value)}
                  data-testid={`field-${field.name}`}
                />
                {(field.kind === 'integer' || field.kind === 'decimal') && <Text className="field__unit">{field.unit}</Text>}
              </>
            );
        }
        return (
          <View key={field.name} className="form-fields__item">
            <View className={`field ${stacked ? 'field--stacked' : ''}`}>
              {label}
              {control}
            </View>
            {errors[field.name] && (
              <Text className="field__error" data-testid={`error-${field.name}`}>
                {errors[field.name]}
              </Text>
            )}
          </View>
        );
      })}
    </View>
  );
}
