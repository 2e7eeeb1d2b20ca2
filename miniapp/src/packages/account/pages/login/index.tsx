import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import '../../../../components/Form.scss';
import { platform } from '../../../../platform';
import { useAction } from '../../../../hooks/useAction';
import { api, session } from '../../../../services';

const PHONE = /^1[3-9]\d{9}$/;
const RESEND_SECONDS = 60;

async function finish(tokens: { accessToken: string; refreshToken: string }) {
  session.save(tokens);
  await Taro.switchTab({ url: '/pages/me/index' });
}

/** Mini-program: one tap with WeChat. H5: phone number and a text-message code. */
export default function Login() {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [countdown, setCountdown] = useState(0);
  const { busy, error, run } = useAction();

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
          {error && <Text className="form__error">{error}</Text>}
        </View>
        <Button
          className={`form__submit ${busy ? 'form__submit--disabled' : ''}`}
          disabled={busy || undefined}
          onClick={() =>
            run(async () => {
              const { code: wxCode } = await platform.login();
              await finish(await api.call('loginWechat', { body: { code: wxCode } }));
            })
          }
        >
          微信一键登录
        </Button>
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
              run(async () => {
                await api.call('sendSmsCode', { body: { phone, purpose: 'login' } });
                setCountdown(RESEND_SECONDS);
              })
            }
          >
            {countdown > 0 ? `${countdown} 秒后重发` : '获取验证码'}
          </Button>
        </View>
        {error && (
          <Text className="form__error" data-testid="login-error">
            {error}
          </Text>
        )}
      </View>
      <Button
        className={`form__submit ${!phoneValid || code.length !== 6 || busy ? 'form__submit--disabled' : ''}`}
        disabled={!phoneValid || code.length !== 6 || busy || undefined}
        data-testid="login-submit"
        onClick={() => run(async () => finish(await api.call('loginSms', { body: { phone, code } })))}
      >
        登录
      </Button>
    </View>
  );
}
