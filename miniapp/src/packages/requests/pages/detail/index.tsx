import { Text, View } from '@tarojs/components';
import { useDidShow, useRouter } from '@tarojs/taro';
import { useRef } from 'react';
import type { WorkOrderDetail } from '../../../../../../shared/contracts/requests';
import { NotifyCard } from '../../../../components/notify/NotifyCard';
import { PendingCard } from '../../../../components/PendingCard';
import { useApi } from '../../../../hooks/useApi';
import { stateText } from '../../../../serviceRequests';
import { session } from '../../../../services';
import { formatInstant } from '../../../../time';
import { OrderDocuments } from '../../components/Documents';
import { Gate } from '../../components/Gate';
import { CancelRequest, RateRequest, SupplyDocuments } from '../../components/OrderActions';
import { Timeline } from '../../components/Timeline';
import { describeValue, FIELDS } from '../../form/fields';
import './index.scss';

/** What the customer filed, read back; account ids are left out (the account number is on the order list). */
function FiledForm({ order }: { order: WorkOrderDetail }) {
  const rows = FIELDS[order.type].filter((field) => field.kind !== 'account' && order.form[field.name] !== undefined);
  return (
    <View className="card">
      <Text className="card__title">申请内容</Text>
      {rows.map((field) => (
        <View key={field.name} className="request-detail__row">
          <Text className="request-detail__label">{field.label}</Text>
          <Text className="request-detail__value">{describeValue(field, order.form[field.name])}</Text>
        </View>
      ))}
    </View>
  );
}

function OrderDetail({ orderId }: { orderId: number }) {
  const result = useApi('getMyRequest', { params: { orderId } });
  // Shown again (back from the chooser or another app): progress may have moved meanwhile.
  const firstShow = useRef(true);
  useDidShow(() => {
    if (firstShow.current) firstShow.current = false;
    else result.reload();
  });
  if (result.status !== 'ready')
    return (
      <View className="page">
        <PendingCard result={result} />
      </View>
    );
  const { order } = result.data;
  return (
    <View className="page request-detail" data-testid="request-detail">
      <View className="card request-detail__summary">
        <Text className="request-detail__type">{order.typeName}</Text>
        <Text className={`request-detail__state request-detail__state--${order.state}`} data-testid="request-state">
          {stateText(order)}
          {order.overdue ? ' · 已超时' : ''}
        </Text>
        <View className="request-detail__row">
          <Text className="request-detail__label">工单编号</Text>
          <Text className="request-detail__value" data-testid="request-no">
            {order.ticketNo}
          </Text>
        </View>
        <View className="request-detail__row">
          <Text className="request-detail__label">提交时间</Text>
          <Text className="request-detail__value">{formatInstant(order.createdAt)}</Text>
        </View>
      </View>
      {order.state === 'awaiting_documents' && <SupplyDocuments orderId={order.id} onDone={result.reload} />}
      <Timeline order={order} />
      {(order.state === 'stage' || order.state === 'awaiting_documents') && <NotifyCard topic="workorder" />}
      {order.state === 'completed' && <RateRequest orderId={order.id} rating={order.rating} onDone={result.reload} />}
      <FiledForm order={order} />
      <OrderDocuments order={order} />
      {order.canCancel && <CancelRequest orderId={order.id} onDone={result.reload} />}
    </View>
  );
}

/** One of the customer's requests, `?id=…`; progress notifications open this page. */
export default function RequestDetailPage() {
  const { params } = useRouter();
  const id = Number(params.id);
  if (!Number.isSafeInteger(id) || id <= 0) return <Gate reason="link" message="工单信息不完整，请从“我的工单”重新进入" />;
  if (!session.isLoggedIn()) return <Gate reason="login" message="登录后查看工单的办理进度" />;
  return <OrderDetail orderId={id} />;
}
