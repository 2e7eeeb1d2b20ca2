import { View } from '@tarojs/components';
import { openEntry } from '../../components/EntryGrid';
import { StateView } from '../../components/StateView';

/** Bills need a bound electricity account; until the customer has one, say so and show the way. */
export default function Bills() {
  return (
    <View className='page bills'>
      <View className='card'>
        <StateView
          kind='empty'
          message='绑定户号后，这里会显示每月账单、阶梯用电和缴费记录'
          action={{ label: '前往“我的”', onTap: () => openEntry({ url: '/pages/me/index', tab: true }) }}
        />
      </View>
    </View>
  );
}
