import type { Config } from '../../config';
import { DEVELOPMENT_SECRETS } from '../../config-production';
import type { Db } from '../../db/database';
import { terminals } from '../../db/schema';
import type { Seeder } from '../../seed';
import { createSecretBox } from './secrets';

const DEFAULT_DEMO_SECRET = DEVELOPMENT_SECRETS.demoTerminal;

/**
 * The demo terminal `npm run terminal` signs as: a bank counter allowed from this machine only,
 * with the id and secret from configuration (DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET). In
 * production it exists only when its secret is configured. Made at every start if missing, so a
 * database seeded before terminals existed gets it too; an existing one (disabled, rotated) is left alone.
 */
export async function ensureDemoTerminal(db: Db, config: Config): Promise<boolean> {
  const { terminalId, secret, seed } = config.terminals.demo;
  if (!seed) return false;
  await db
    .insert(terminals)
    .values({
      terminalId,
      organisationName: '演示银行杭州分行',
      organisationKind: 'bank',
      channel: 'counter',
      allowedIps: ['127.0.0.1', '::1'],
      enabled: true,
      secretEnc: createSecretBox(config.terminals.secretKeys).seal(secret),
    })
    .onConflictDoNothing({ target: terminals.terminalId });
  return true;
}

export const terminalsSeeder: Seeder = {
  name: 'payment terminals',
  async run(tx, demo, _log, config) {
    if (!(await ensureDemoTerminal(tx.db, config))) return;
    const { terminalId, secret } = config.terminals.demo;
    demo.terminal = {
      terminalId,
      // A configured secret is not copied into the demo file.
      secret: secret === DEFAULT_DEMO_SECRET ? secret : '(DEMO_TERMINAL_SECRET)',
      try: 'npm run terminal -- signin, then query 3301000001, pay 3301000001 5000, reverse <serial>, signout, file, reconcile',
    };
  },
};
