import { Text, View } from '@tarojs/components';
import type { Account } from '../../../shared/contracts/accounts';
import './AccountCard.scss';

const CLASS_LABEL: Record<Account['customerClass'], string> = {
  residential: '居民',
  commercial: '一般工商业',
  large_industry: '大工业',
  agricultural: '农业',
};

export function AccountCard({ account }: { account: Account }) {
  return (
    <View className="account" data-testid={`account-${account.accountNo}`}>
      <View className="account__head">
        <Text className="account__no">户号 {account.accountNo}</Text>
        {account.isDefault && <Text className="account__tag">默认</Text>}
        <Text className="account__class">{CLASS_LABEL[account.customerClass]}</Text>
      </View>
      <Text className="account__line">{account.holderNameMasked}</Text>
      <Text className="account__line">{account.addressMasked}</Text>
    </View>
  );
}
