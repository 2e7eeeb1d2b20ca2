import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useRef } from 'react';
import { PendingCard } from '../../../../components/PendingCard';
import { StateView } from '../../../../components/StateView';
import { useApi } from '../../../../hooks/useApi';
import { detailUrl, HUB_URL, stateText } from '../../../../serviceRequests';
import { session } from '../../../../services';
import { formatInstant } from '../../../../time';
import { Gate } from '../../components/Gate';
import './index.scss';

function MyRequests() {
  const result = useApi('listMyRequests');
  // Back from an order's page, its state may have changed (cancelled, documents sent).
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
  const { orders } = result.data;
  return (
    <View className="page my-requests">
      <View className="card" data-testid="my-requests">
        {orders.length === 0 ? (
          <StateView kind="empty" message="还没有办理过业务" action={{ label: '去办理', onTap: () => void Taro.navigateTo({ url: HUB_URL }) }} />
        ) : (
          orders.map((order) => (
            <View
              key={order.id}
              className="my-requests__item"
              onClick={() => void Taro.navigateTo({ url: detailUrl(order.id) })}
              data-testid={`my-request-${order.id}`}
            >
              <View className="my-requests__head">
                <Text className="my-requests__type">{order.typeName}</Text>
                <Text className={`my-requests__state my-requests__state--${order.state}`}>{stateText(order)}</Text>
              </View>
              <View className="my-requests__meta">
                <Text>
                  {order.ticketNo} · {formatInstant(order.createdAt)}
                </Text>
                {order.overdue && <Text className="my-requests__overdue">已超时</Text>}
              </View>
            </View>
          ))
        )}
      </View>
    </View>
  );
}

/** The customer's requests, newest first, each opening its progress. */
export default function MyRequestsPage() {
  if (!session.isLoggedIn()) return <Gate reason="login" message="登录后查看您办理的业务" />;
  return <MyRequests />;
}
