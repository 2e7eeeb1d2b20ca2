import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { formatFen, yuanToFen } from '../../../../shared/money';
import '../../components/Form.scss';
import { useAction } from '../../hooks/useAction';
import { api } from '../../services';

/** The contract's ceiling: ¥10,000. */
const MAX_FEN = 10_000_00;

/** The customer types yuan; the API takes fen. Returns the fen or what to fix. */
export function parseThreshold(text: string): { fen: number } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: '请输入提醒金额' };
  let fen: number;
  try {
    fen = yuanToFen(trimmed);
  } catch {
    return { problem: '请输入金额，最多两位小数，如 30 或 30.50' };
  }
  if (fen < 0) return { problem: '提醒金额不能为负数' };
  if (fen > MAX_FEN) return { problem: `提醒金额最高 ${formatFen(MAX_FEN)}` };
  return { fen };
}

interface Props {
  accountId: number;
  thresholdFen: number | null;
  onSaved: (thresholdFen: number) => void;
}

export function BalanceAlertForm({ accountId, thresholdFen, onSaved }: Props) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const { busy, error, run } = useAction();

  const save = () => {
    const parsed = parseThreshold(text);
    if ('problem' in parsed) {
      setProblem(parsed.problem);
      return;
    }
    setProblem(undefined);
    void run(async () => {
      const saved = await api.call('setBalanceAlert', { params: { accountId }, body: { thresholdFen: parsed.fen } });
      onSaved(saved.thresholdFen);
      setText('');
      await Taro.showToast({ title: '已保存', icon: 'success' });
    });
  };

  const message = problem ?? error;
  return (
    <View className="bills__alert">
      <Text className="bills__note" data-testid="balance-alert-current">
        {thresholdFen === null ? '余额提醒按默认金额，可在下方修改' : `余额低于 ${formatFen(thresholdFen)} 时提醒`}
      </Text>
      <View className="field">
        <Text className="field__label">提醒金额</Text>
        <Input
          className="field__input"
          type="digit"
          maxlength={9}
          placeholder="输入金额（元）"
          value={text}
          onInput={(e) => setText(e.detail.value)}
          data-testid="balance-alert-input"
        />
        <Button
          className={`field__action ${busy ? 'field__action--disabled' : ''}`}
          disabled={busy || undefined}
          onClick={save}
          data-testid="balance-alert-save"
        >
          保存
        </Button>
      </View>
      {message && (
        <Text className="form__error" data-testid="balance-alert-error">
          {message}
        </Text>
      )}
    </View>
  );
}
