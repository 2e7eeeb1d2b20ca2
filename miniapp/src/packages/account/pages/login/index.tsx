import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { CONSENT_VERSION } from '../../../../../../shared/consent';
import '../../../../components/Form.scss';
import { platform } from '../../../../platform';
import { useAction } from '../../../../hooks/useAction';
import { api, session } from '../../../../services';
import { Consent } from '../../components/Consent';

const PHONE = /^1[3-9]\d{9}$/;
const RESEND_SECONDS = 60;
const CONSENT_NEEDED = '请先阅读并勾选同意《用户服务协议》和《隐私政策》';
const PRIVACY_REFUSED = '需要同意微信的隐私保护指引后才能登录';

async function finish(tokens: { accessToken: string; refreshToken: string }) {
  session.save(tokens);
  await Taro.switchTab({ url: '/pages/me/index' });
}

/** Mini-program: one tap with WeChat. H5: phone number and a text-message code. */
export default function Login() {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [countdown, setCountdown] = useState(0);
  const [agreed, setAgreed] = useState(false);
  const [hint, setHint] = useState<string>();
  const { busy, error, run } = useAction();
  const shown = hint ?? error;

  const agree = (value: boolean) => {
    setAgreed(value);
    setHint(undefined);
  };
  /** Every login button (and sending a code, which hands the phone number on) waits for the tick. */
  const withConsent = (work: () => Promise<void>) => {
    if (!agreed) {
      setHint(CONSENT_NEEDED);
      return;
    }
    setHint(undefined);
    void run(work);
  };

  useEffect(() => {
    if (countdown <= 0) return undefined;
    const timer = setTimeout(() => setCountdown(countdown - 1), 1000);
    return () => clearTimeout(timer);
  }, [countdown]);

  if (platform.name === 'weapp') {
    return (
      <View className="page">
        <View className="card">
          <Text className="prose">使用微信身份登录，登录后可绑定户号、查看账单和缴费。</Text>
          {shown && <Text className="form__error">{shown}</Text>}
        </View>
        <Button
          className={`form__submit ${busy ? 'form__submit--disabled' : ''}`}
          disabled={busy || undefined}
          onClick={() =>
            withConsent(async () => {
              if (!(await platform.authorizePrivacy())) {
                setHint(PRIVACY_REFUSED);
                return;
              }
              const { code: wxCode } = await platform.login();
              await finish(await api.call('loginWechat', { body: { code: wxCode, consentVersion: CONSENT_VERSION } }));
            })
          }
        >
          微信一键登录
        </Button>
        <Consent agreed={agreed} onChange={agree} />
      </View>
    );
  }

  const phoneValid = PHONE.test(phone);
  return (
    <View className="page">
      <View className="card">
        <View className="field">
          <Text className="field__label">手机号</Text>
          <Input
            className="field__input"
            type="number"
            maxlength={11}
            placeholder="请输入手机号"
            value={phone}
            onInput={(e) => setPhone(e.detail.value)}
            data-testid="login-phone"
          />
        </View>
        <View className="field">
          <Text className="field__label">验证码</Text>
          <Input
            className="field__input"
            type="number"
            maxlength={6}
            placeholder="6 位验证码"
            value={code}
            onInput={(e) => setCode(e.detail.value)}
            data-testid="login-code"
          />
          <Button
            className={`field__action ${!phoneValid || countdown > 0 ? 'field__action--disabled' : ''}`}
            disabled={!phoneValid || countdown > 0 || busy || undefined}
            data-testid="login-send"
            onClick={() =>
              withConsent(async () => {
                await api.call('sendSmsCode', { body: { phone, purpose: 'login' } });
                setCountdown(RESEND_SECONDS);
              })
            }
          >
            {countdown > 0 ? `${countdown} 秒后重发` : '获取验证码'}
          </Button>
        </View>
        {shown && (
          <Text className="form__error" data-testid="login-error">
            {shown}
          </Text>
        )}
      </View>
      <Button
        className={`form__submit ${!phoneValid || code.length !== 6 || busy ? 'form__submit--disabled' : ''}`}
        disabled={!phoneValid || code.length !== 6 || busy || undefined}
        data-testid="login-submit"
        onClick={() => withConsent(async () => finish(await api.call('loginSms', { body: { phone, code, consentVersion: CONSENT_VERSION } })))}
      >
        登录
      </Button>
      <Consent agreed={agreed} onChange={agree} />
    </View>
  );
}
