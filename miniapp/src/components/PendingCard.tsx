import { View } from '@tarojs/components';
import { describeError } from '../services';
import { StateView } from './StateView';

/** A card for a request not ready yet: the loading skeleton, or the error with a retry. */
export function PendingCard({ result }: { result: { status: 'loading' | 'error'; error?: unknown; reload: () => void } }) {
  return (
    <View className="card">
      {result.status === 'loading' ? <StateView kind="loading" /> : <StateView kind="error" message={describeError(result.error)} onRetry={result.reload} />}
    </View>
  );
}
