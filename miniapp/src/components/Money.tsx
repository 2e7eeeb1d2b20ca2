import { Text } from '@tarojs/components';
import { formatFen } from '../../../shared/money';

/** An amount held in integer fen, shown as yuan. */
export function Money({ fen, className }: { fen: number; className?: string }) {
  return <Text className={className}>{formatFen(fen)}</Text>;
}
