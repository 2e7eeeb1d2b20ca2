import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import type { KeyValueStore } from '../../redis';
import { createReconciliation } from './reconcile';
import { createTerminalRegistry } from './registry';
import { createSecretBox } from './secrets';
import { createTerminalService } from './service';

/** Payment terminals: the registry and request authentication, the day's messages, and reconciliation. */
export function createTerminals(deps: { database: Database; store: KeyValueStore; clock: Clock; secretKeys: Array<{ kid: string; key: string }> }) {
  const { database, clock } = deps;
  return {
    registry: createTerminalRegistry({ database, clock, store: deps.store, secrets: createSecretBox(deps.secretKeys) }),
    protocol: createTerminalService({ database, clock }),
    reconciliation: createReconciliation({ database, clock }),
  };
}

export type Terminals = ReturnType<typeof createTerminals>;
