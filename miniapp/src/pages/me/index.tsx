import { Text, View } from '@tarojs/components';
import { StateView } from '../../components/StateView';
import { useApi } from '../../hooks/useApi';
import { platform } from '../../platform';
import { describeError } from '../../services';
import './index.scss';

export default function Me() {
  const meta = useApi('getMeta');
  return (
    <View className='page me'>
      <View className='me__profile'>
        <View className='me__avatar'>
          <Text>客</Text>
        </View>
        <Text className='me__name'>访客</Text>
      </View>
      <View className='card'>
        <Text className='card__title'>客户服务</Text>
        {meta.status === 'loading' && <StateView kind='loading' />}
        {meta.status === 'error' && <StateView kind='error' message={describeError(meta.error)} onRetry={meta.reload} />}
        {meta.status === 'ready' && (
          <View>
            <View className='list-row' onClick={() => platform.call(meta.data.utility.hotline)}>
              <Text>服务热线</Text>
              <Text className='list-row__hint'>{meta.data.utility.hotline} ›</Text>
            </View>
            <View className='list-row'>
              <Text>服务时间</Text>
              <Text className='list-row__hint'>{meta.data.utility.serviceHours}</Text>
            </View>
            <View className='list-row'>
              <Text>供电单位</Text>
              <Text className='list-row__hint'>{meta.data.utility.name}</Text>
            </View>
          </View>
        )}
      </View>
    </View>
  );
}
