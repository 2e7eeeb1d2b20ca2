import type pg from 'pg';
import type { Config } from '../../config';
import { DEVELOPMENT_SECRETS } from '../../config-production';
import type { Seeder } from '../../seed';
import { createSecretBox } from './secrets';

const DEFAULT_DEMO_SECRET = DEVELOPMENT_SECRETS.demoTerminal;

/**
 * The demo terminal `npm run terminal` signs as: a bank counter allowed from this machine only,
 * with the id and secret from configuration (DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET). In
 * production it exists only when its secret is configured. Made at every start if missing, so a
 * database seeded before terminals existed gets it too; an existing one (disabled, rotated) is left alone.
 */
export async function ensureDemoTerminal(client: Pick<pg.PoolClient, 'query'>, config: Config): Promise<boolean> {
  const { terminalId, secret, seed } = config.terminals.demo;
  if (!seed) return false;
  await client.query(
    `INSERT INTO terminals (terminal_id, organisation_name, organisation_kind, channel, allowed_ips, enabled, secret_enc)
     VALUES ($1, '演示银行杭州分行', 'bank', 'counter', $2, true, $3) ON CONFLICT (terminal_id) DO NOTHING`,
    [terminalId, ['127.0.0.1', '::1'], createSecretBox(config.terminals.secretKeys).seal(secret)],
  );
  return true;
}

export const terminalsSeeder: Seeder = {
  name: 'payment terminals',
  async run(tx, demo, _log, config) {
    if (!(await ensureDemoTerminal(tx.client, config))) return;
    const { terminalId, secret } = config.terminals.demo;
    demo.terminal = {
      terminalId,
      // A configured secret is not copied into the demo file.
      secret: secret === DEFAULT_DEMO_SECRET ? secret : '(DEMO_TERMINAL_SECRET)',
      try: 'npm run terminal -- signin, then query 3301000001, pay 3301000001 5000, reverse <serial>, signout, file, reconcile',
    };
  },
};
