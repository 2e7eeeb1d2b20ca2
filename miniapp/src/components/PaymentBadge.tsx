import { Text } from '@tarojs/components';
import type { BillSummary } from '../../../shared/contracts/billing';
import { PAYMENT_LABEL } from '../billing';
import './PaymentBadge.scss';

export function PaymentBadge({ state }: { state: BillSummary['payment']['state'] }) {
  return <Text className={`badge badge--${state}`}>{PAYMENT_LABEL[state]}</Text>;
}
