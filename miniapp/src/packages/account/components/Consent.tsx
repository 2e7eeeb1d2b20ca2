import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import './Consent.scss';

export const AGREEMENT_URL = '/packages/account/pages/agreement/index';
export const PRIVACY_URL = '/packages/account/pages/privacy/index';

/**
 * The explicit consent a login needs (PIPL): unticked at first. The box and its words toggle it;
 * the two titles open the texts.
 */
export function Consent({ agreed, onChange }: { agreed: boolean; onChange(agreed: boolean): void }) {
  const toggle = () => onChange(!agreed);
  return (
    <View className="consent">
      <View
        className={`consent__box ${agreed ? 'consent__box--checked' : ''}`}
        role="checkbox"
        aria-checked={agreed}
        aria-label="同意用户服务协议和隐私政策"
        data-testid="login-consent"
        onClick={toggle}
      >
        {agreed ? '✓' : ''}
      </View>
      <Text onClick={toggle}>我已阅读并同意</Text>
      <Text className="consent__link" data-testid="consent-agreement" onClick={() => void Taro.navigateTo({ url: AGREEMENT_URL })}>
        《用户服务协议》
      </Text>
      <Text className="consent__link" data-testid="consent-privacy" onClick={() => void Taro.navigateTo({ url: PRIVACY_URL })}>
        《隐私政策》
      </Text>
    </View>
  );
}
