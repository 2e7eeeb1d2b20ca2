import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { CONSENT_VERSION } from '../../../../../../shared/consent';
import '../../../../components/Form.scss';
import { platform } from '../../../../platform';
import { useAction } from '../../../../hooks/useAction';
import { api, ApiError, retryAfterOf, session, waitText } from '../../../../services';
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
    void attempt(work);
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
          {(hint ?? error) && <Text className="form__error">{hint ?? error}</Text>}
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
  // Said as soon as 11 digits are there, since the send button stays greyed out for a wrong number.
  const phoneMessage = phone.length === 11 && !phoneValid ? '请填写正确的 11 位手机号' : fieldErrors.phone;
  const waiting = waitCode && (countdown > 0 || waitCode === 'SMS_CODE_LOCKED') ? waitText(waitCode, countdown) : undefined;
  const generalError = hint ?? waiting ?? (fieldErrors.phone || fieldErrors.code ? undefined : error);
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
              withConsent(async () => {
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
        onClick={() => withConsent(async () => finish(await api.call('loginSms', { body: { phone, code, consentVersion: CONSENT_VERSION } })))}
      >
        登录
      </Button>
      <Consent agreed={agreed} onChange={agree} />
    </View>
  );
}
