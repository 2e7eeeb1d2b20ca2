import { Button, Text, View } from '@tarojs/components';
import './StateView.scss';

type Props =
  | { kind: 'loading'; label?: string }
  | { kind: 'empty'; message: string; action?: { label: string; onTap: () => void } }
  | { kind: 'error'; message: string; onRetry: () => void };

/** The three states every data view has besides "ready". */
export function StateView(props: Props) {
  if (props.kind === 'loading') {
    return (
      <View className="state state--loading" aria-busy="true" data-testid="state-loading">
        <View className="state__skeleton" />
        <View className="state__skeleton state__skeleton--short" />
        <Text className="state__label">{props.label ?? '正在加载…'}</Text>
      </View>
    );
  }
  if (props.kind === 'empty') {
    return (
      <View className="state state--empty" data-testid="state-empty">
        <Text className="state__message">{props.message}</Text>
        {props.action && (
          <Button className="state__button" onClick={props.action.onTap}>
            {props.action.label}
          </Button>
        )}
      </View>
    );
  }
  return (
    <View className="state state--error" role="alert" data-testid="state-error">
      <Text className="state__message">{props.message}</Text>
      <Button className="state__button" onClick={props.onRetry}>
        重试
      </Button>
    </View>
  );
}
