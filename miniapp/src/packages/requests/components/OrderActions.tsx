import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import '../../../components/Form.scss';
import { useAction } from '../../../hooks/useAction';
import { api } from '../../../services';
import { pickAndUpload, sizeText, type UploadedDocument } from '../documents';
import './OrderActions.scss';

/** Staff asked for documents: the customer adds files (uploaded at once), then sends them together. */
export function SupplyDocuments({ orderId, onDone }: { orderId: number; onDone: () => void }) {
  const [files, setFiles] = useState<UploadedDocument[]>([]);
  const adding = useAction();
  const sending = useAction();
  const add = () =>
    adding.run(async () => {
      const document = await pickAndUpload('supplement');
      if (document) setFiles((current) => [...current, document]);
    });
  const send = () =>
    sending.run(async () => {
      await api.call('supplyDocuments', { params: { orderId }, body: { documents: files.map((file) => file.id) } });
      void Taro.showToast({ title: '已提交资料', icon: 'success' });
      onDone();
    });
  const busy = adding.busy || sending.busy;
  return (
    <View className="card" data-testid="supply-documents">
      <Text className="card__title">补充资料</Text>
      <Text className="prose">请按办理进度中的要求上传照片或 PDF 文件（每份不超过 5 MB），全部添加后点“提交资料”。</Text>
      {files.map((file) => (
        <View key={file.id} className="list-row">
          <Text>{file.filename}</Text>
          <Text className="list-row__hint">{sizeText(file.sizeBytes)}</Text>
        </View>
      ))}
      <Button
        className={`field__action order-actions__add ${busy ? 'field__action--disabled' : ''}`}
        disabled={busy || undefined}
        onClick={add}
        data-testid="supply-add"
      >
        {adding.busy ? '正在上传…' : '添加文件'}
      </Button>
      {(adding.error ?? sending.error) && <Text className="form__error">{adding.error ?? sending.error}</Text>}
      <Button
        className={`form__submit order-actions__submit ${busy || !files.length ? 'form__submit--disabled' : ''}`}
        disabled={busy || !files.length || undefined}
        onClick={send}
        data-testid="supply-send"
      >
        提交资料
      </Button>
    </View>
  );
}

/** Withdraws a request still being accepted, after the customer confirms. */
export function CancelRequest({ orderId, onDone }: { orderId: number; onDone: () => void }) {
  const { busy, error, run } = useAction();
  const cancel = async () => {
    const { confirm } = await Taro.showModal({
      title: '撤销申请',
      content: '撤销后如需办理，要重新提交申请。确定撤销吗？',
      confirmText: '撤销',
      cancelText: '再想想',
    });
    if (!confirm) return;
    await run(async () => {
      await api.call('cancelMyRequest', { params: { orderId }, body: {} });
      onDone();
    });
  };
  return (
    <View className="order-actions__cancel">
      <Button
        className={`order-actions__cancel-button ${busy ? 'field__action--disabled' : ''}`}
        disabled={busy || undefined}
        onClick={() => void cancel()}
        data-testid="request-cancel"
      >
        撤销申请
      </Button>
      {error && <Text className="form__error">{error}</Text>}
    </View>
  );
}

const STARS = [1, 2, 3, 4, 5];
export const stars = (rating: number) => '★'.repeat(rating) + '☆'.repeat(5 - rating);

/** A completed request: rate it once, 1–5. */
export function RateRequest({ orderId, rating, onDone }: { orderId: number; rating: number | null; onDone: () => void }) {
  const [chosen, setChosen] = useState(0);
  const { busy, error, run } = useAction();
  if (rating !== null) {
    return (
      <View className="card">
        <View className="list-row">
          <Text>您的评价</Text>
          <Text className="order-actions__stars" data-testid="rating-given">
            {stars(rating)}
          </Text>
        </View>
      </View>
    );
  }
  const send = () =>
    run(async () => {
      await api.call('rateMyRequest', { params: { orderId }, body: { rating: chosen } });
      void Taro.showToast({ title: '感谢您的评价', icon: 'success' });
      onDone();
    });
  return (
    <View className="card" data-testid="rate-request">
      <Text className="card__title">评价本次服务</Text>
      <View className="order-actions__rate">
        {STARS.map((star) => (
          <Text
            key={star}
            className={`order-actions__star ${star <= chosen ? 'order-actions__star--on' : ''}`}
            onClick={() => setChosen(star)}
            data-testid={`rate-star-${star}`}
          >
            {star <= chosen ? '★' : '☆'}
          </Text>
        ))}
      </View>
      {error && <Text className="form__error">{error}</Text>}
      <Button
        className={`form__submit order-actions__submit ${busy || !chosen ? 'form__submit--disabled' : ''}`}
        disabled={busy || !chosen || undefined}
        onClick={send}
        data-testid="rate-submit"
      >
        提交评价
      </Button>
    </View>
  );
}
