import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import '../../../../components/Form.scss';
import { useAction } from '../../../../hooks/useAction';
import { api } from '../../../../services';

type Method = 'holder' | 'sms';

/** Binding proves ownership: the holder's name with the last four digits of the phone on file, or a code sent to that phone. */
export default function Bind() {
  const [method, setMethod] = useState<Method>('holder');
  const [accountNo, setAccountNo] = useState('');
  const [holderName, setHolderName] = useState('');
  const [phoneLast4, setPhoneLast4] = useState('');
  const [code, setCode] = useState('');
  const [codeSent, setCodeSent] = useState(false);
  const { busy, error, run } = useAction();

  const accountValid = /^\d{10}$/.test(accountNo);
  const ready = accountValid && (method === 'holder' ? holderName.trim() !== '' && /^\d{4}$/.test(phoneLast4) : /^\d{6}$/.test(code));

  const submit = () =>
    run(async () => {
      const body = method === 'holder' ? { method, accountNo, holderName: holderName.trim(), phoneLast4 } : { method, accountNo, code };
      await api.call('bindAccount', { body });
      await Taro.showToast({ title: '绑定成功', icon: 'success' });
      await Taro.switchTab({ url: '/pages/me/index' });
    });

  return (
    <View className="page">
      <View className="card">
        <View className="segmented">
          {(['holder', 'sms'] as const).map((option) => (
            <Text
              key={option}
              className={`segmented__item ${method === option ? 'segmented__item--active' : ''}`}
              onClick={() => setMethod(option)}
              data-testid={`bind-method-${option}`}
            >
              {option === 'holder' ? '户主信息验证' : '预留手机验证'}
            </Text>
          ))}
        </View>
        <View className="field">
          <Text className="field__label">户号</Text>
          <Input
            className="field__input"
            type="number"
            maxlength={10}
            placeholder="账单上的 10 位户号"
            value={accountNo}
            onInput={(e) => setAccountNo(e.detail.value)}
            data-testid="bind-account"
          />
        </View>
        {method === 'holder' ? (
          <>
            <View className="field">
              <Text className="field__label">户主姓名</Text>
              <Input
                className="field__input"
                placeholder="与账单一致"
                value={holderName}
                onInput={(e) => setHolderName(e.detail.value)}
                data-testid="bind-holder"
              />
            </View>
            <View className="field">
              <Text className="field__label">手机后四位</Text>
              <Input
                className="field__input"
                type="number"
                maxlength={4}
                placeholder="预留手机号后四位"
                value={phoneLast4}
                onInput={(e) => setPhoneLast4(e.detail.value)}
                data-testid="bind-last4"
              />
            </View>
          </>
        ) : (
          <View className="field">
            <Text className="field__label">验证码</Text>
            <Input
              className="field__input"
              type="number"
              maxlength={6}
              placeholder="发送到预留手机"
              value={code}
              onInput={(e) => setCode(e.detail.value)}
              data-testid="bind-code"
            />
            <Button
              className={`field__action ${!accountValid || codeSent ? 'field__action--disabled' : ''}`}
              disabled={!accountValid || codeSent || busy || undefined}
              onClick={() =>
                run(async () => {
                  await api.call('sendBindCode', { body: { accountNo } });
                  setCodeSent(true);
                })
              }
            >
              {codeSent ? '已发送' : '发送验证码'}
            </Button>
          </View>
        )}
        {error && (
          <Text className="form__error" data-testid="bind-error">
            {error}
          </Text>
        )}
      </View>
      <Button
        className={`form__submit ${!ready || busy ? 'form__submit--disabled' : ''}`}
        disabled={!ready || busy || undefined}
        onClick={submit}
        data-testid="bind-submit"
      >
        绑定
      </Button>
    </View>
  );
}
