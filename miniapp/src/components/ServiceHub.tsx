import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { useApi } from '../hooks/useApi';
import { AUDIENCE_LABEL, CATEGORY_LABEL, CATEGORY_ORDER, formUrl, limitText, MY_REQUESTS_URL, totalText } from '../serviceRequests';
import { HotlineCard } from './HotlineCard';
import { PendingCard } from './PendingCard';
import { StateView } from './StateView';
import './Form.scss';
import './ServiceHub.scss';

type Audience = 'all' | 'resident' | 'business';
const AUDIENCES: Array<{ value: Audience; label: string }> = [
  { value: 'all', label: '全部' },
  { value: 'resident', label: '居民' },
  { value: 'business', label: '企业' },
];

/**
 * The request types the server offers, grouped by category, each opening its form; a filter for
 * households or businesses, the customer's own requests, and the hotline for anything urgent.
 */
export function ServiceHub({ categories }: { categories?: string[] }) {
  const types = useApi('listRequestTypes');
  const [audience, setAudience] = useState<Audience>('all');

  let body;
  if (types.status !== 'ready') body = <PendingCard result={types} />;
  else {
    const shown = types.data.types.filter(
      (type) => (!categories || categories.includes(type.category)) && (audience === 'all' || type.audience === audience || type.audience === 'any'),
    );
    const groups = CATEGORY_ORDER.map((category) => ({ category, types: shown.filter((type) => type.category === category) })).filter(
      (group) => group.types.length,
    );
    body = groups.length ? (
      groups.map((group) => (
        <View key={group.category} className="card" data-testid={`hub-${group.category}`}>
          <Text className="card__title">{CATEGORY_LABEL[group.category]}</Text>
          {group.types.map((type) => (
            <View
              key={type.type}
              className="hub__type"
              onClick={() => void Taro.navigateTo({ url: formUrl(type.type) })}
              data-testid={`request-type-${type.type}`}
            >
              <View className="hub__head">
                <Text className="hub__name">{type.name}</Text>
                <Text className="hub__audience">{AUDIENCE_LABEL[type.audience]}</Text>
                <Text className="hub__go">办理 ›</Text>
              </View>
              <Text className="hub__line">{type.stages.map((stage) => `${stage.name} ${limitText(stage.limit)}`).join(' → ')}</Text>
              <Text className="hub__line">{totalText(type.stages)}</Text>
              {type.documents.length > 0 && <Text className="hub__line">需准备：{type.documents.map((document) => document.name).join('、')}</Text>}
            </View>
          ))}
        </View>
      ))
    ) : (
      <View className="card">
        <StateView kind="empty" message="暂无可在线办理的业务" />
      </View>
    );
  }

  return (
    <View className="page hub">
      <View className="card">
        <View className="list-row" onClick={() => void Taro.navigateTo({ url: MY_REQUESTS_URL })} data-testid="hub-mine">
          <Text>我的工单</Text>
          <Text className="list-row__hint">查看办理进度 ›</Text>
        </View>
        <View className="segmented">
          {AUDIENCES.map((option) => (
            <Text
              key={option.value}
              className={`segmented__item ${audience === option.value ? 'segmented__item--active' : ''}`}
              onClick={() => setAudience(option.value)}
              data-testid={`hub-audience-${option.value}`}
            >
              {option.label}
            </Text>
          ))}
        </View>
      </View>
      {body}
      <HotlineCard />
    </View>
  );
}
