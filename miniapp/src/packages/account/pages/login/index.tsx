import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import '../../../../components/Form.scss';
import { platform } from '../../../../platform';
import { useAction } from '../../../../hooks/useAction';
import { api, ApiError, retryAfterOf, session, waitText } from '../../../../services';

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
  const { busy, error, fieldErrors, run } = useAction();
  // A refusal that makes the customer wait (too many texts, a code locked by wrong tries): its reason, counted down.
  const [waitCode, setWaitCode] = useState<string>();
  const attempt = (work: () => Promise<void>) =>
    run(async () => {
      setWaitCode(undefined);
      try {
        await work();
      } catch (err) {
        const seconds = retryAfterOf(err);
        if (err instanceof ApiError && (seconds || err.code === 'SMS_CODE_LOCKED')) {
          setWaitCode(err.code);
          if (seconds) setCountdown(seconds);
        }
        throw err;
      }
    });

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
  // Said as soon as 11 digits are there, since the send button stays greyed out for a wrong number.
  const phoneMessage = phone.length === 11 && !phoneValid ? '请填写正确的 11 位手机号' : fieldErrors.phone;
  const waiting = waitCode && (countdown > 0 || waitCode === 'SMS_CODE_LOCKED') ? waitText(waitCode, countdown) : undefined;
  const generalError = waiting ?? (fieldErrors.phone || fieldErrors.code ? undefined : error);
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
        {phoneMessage && (
          <Text className="form__error" data-testid="login-phone-error">
            {phoneMessage}
          </Text>
        )}
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
              attempt(async () => {
                await api.call('sendSmsCode', { body: { phone, purpose: 'login' } });
                setCountdown(RESEND_SECONDS);
              })
            }
          >
            {countdown > 0 ? `${countdown} 秒后重发` : '获取验证码'}
          </Button>
        </View>
        {fieldErrors.code && (
          <Text className="form__error" data-testid="login-code-error">
            {fieldErrors.code}
          </Text>
        )}
        {generalError && (
          <Text className="form__error" data-testid="login-error">
            {generalError}
          </Text>
        )}
      </View>
      <Button
        className={`form__submit ${!phoneValid || code.length !== 6 || busy ? 'form__submit--disabled' : ''}`}
        disabled={!phoneValid || code.length !== 6 || busy || undefined}
        data-testid="login-submit"
        onClick={() => attempt(async () => finish(await api.call('loginSms', { body: { phone, code } })))}
      >
        登录
      </Button>
    </View>
  );
}
