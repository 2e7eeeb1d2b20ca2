import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import '../../../../components/Form.scss';
import { PendingCard } from '../../../../components/PendingCard';
import { StateView } from '../../../../components/StateView';
import { useApi } from '../../../../hooks/useApi';
import { ApiError } from '../../../../services';
import { ReceiptView } from '../../receipt/ReceiptView';
import { receiptSaving, ReceiptSaveError, type SaveKind } from '../../receipt/saving';
import '../index/index.scss';

const LABELS: Record<SaveKind, string> = { image: '保存为图片', print: '打印/存为PDF' };

/**
 * The electronic receipt of a paid order, opened from the result page or a paid record: shown as
 * a receipt, and saved as an image (both targets) or printed / saved as PDF (H5).
 */
export default function PaymentReceiptPage() {
  const orderId = Number(useRouter().params.id);
  const valid = Number.isInteger(orderId) && orderId > 0;
  const result = useApi('getPaymentReceipt', { params: { orderId } }, { enabled: valid });
  const [saving, setSaving] = useState<SaveKind>();
  const [message, setMessage] = useState<{ text: string; error: boolean }>();

  if (!valid || (result.status === 'error' && result.error instanceof ApiError && result.error.code === 'PAYMENT_NOT_PAID')) {
    return (
      <View className="page">
        <View className="card" data-testid="receipt-unpaid">
          <StateView
            kind="empty"
            message="这笔缴费尚未完成，支付成功后才有电子收费凭证"
            action={
              valid ? { label: '查看支付结果', onTap: () => void Taro.redirectTo({ url: `/packages/payments/pages/result/index?id=${orderId}` }) } : undefined
            }
          />
        </View>
      </View>
    );
  }
  if (result.status !== 'ready')
    return (
      <View className="page">
        <PendingCard result={result} />
      </View>
    );
  const { receipt } = result.data;
  const save = async (kind: SaveKind) => {
    setSaving(kind);
    setMessage(undefined);
    try {
      const done = await receiptSaving.save(kind, receipt);
      if (done) setMessage({ text: done, error: false });
    } catch (err) {
      setMessage({ text: err instanceof ReceiptSaveError ? err.message : '保存失败，请重试', error: true });
    } finally {
      setSaving(undefined);
    }
  };
  return (
    <View className="page">
      <ReceiptView receipt={receipt} />
      {message && (
        <Text className={message.error ? 'form__error receipt__message' : 'receipt__message'} data-testid="receipt-message">
          {message.text}
        </Text>
      )}
      <View className="receipt__actions">
        {receiptSaving.kinds.map((kind, index) => (
          <Button
            key={kind}
            className={index === 0 ? 'form__submit' : 'form__submit pay__secondary'}
            disabled={saving !== undefined || undefined}
            onClick={() => void save(kind)}
            data-testid={`receipt-save-${kind}`}
          >
            {saving === kind ? '正在生成…' : LABELS[kind]}
          </Button>
        ))}
      </View>
      <receiptSaving.Canvas />
    </View>
  );
}
