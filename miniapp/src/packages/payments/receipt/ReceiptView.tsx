import { Text, View } from '@tarojs/components';
import type { ElectronicReceipt } from '../../../../../shared/contracts/payments';
import { headRows, itemRows, RECEIPT_NOTE, RECEIPT_TITLE, sealText, totalRows, type ReceiptRow } from './rows';
import './receipt.scss';

function Rows({ rows, section }: { rows: ReceiptRow[]; section: string }) {
  return (
    <View className={`receipt__section receipt__section--${section}`}>
      {rows.map((row) => (
        <View key={row.label} className="receipt__row" data-testid="receipt-row">
          <Text className="receipt__label">{row.label}</Text>
          <Text className="receipt__value" data-testid={`receipt-${row.label}`}>
            {row.value}
          </Text>
        </View>
      ))}
    </View>
  );
}

/** The receipt laid out as a printed one: title, payee, ruled sections, a round mark and the note. */
export function ReceiptView({ receipt }: { receipt: ElectronicReceipt }) {
  return (
    <View className="receipt" data-testid="receipt">
      <Text className="receipt__title">{RECEIPT_TITLE}</Text>
      <Text className="receipt__payee">{receipt.payee}</Text>
      <Rows rows={headRows(receipt)} section="head" />
      <Rows rows={itemRows(receipt)} section="items" />
      <Rows rows={totalRows(receipt)} section="total" />
      <View className={`receipt__seal${receipt.refund ? ' receipt__seal--refund' : ''}`} data-testid="receipt-seal">
        <Text>{sealText(receipt)}</Text>
      </View>
      <Text className="receipt__note">{RECEIPT_NOTE}</Text>
    </View>
  );
}
