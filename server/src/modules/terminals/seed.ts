import type { Seeder } from '../../seed';
import { createSecretBox } from './secrets';

/**
 * The demo terminal `npm run terminal` signs as: a bank counter allowed from this machine only,
 * with the id and secret from configuration (DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET). In
 * production it is seeded only when its secret is configured.
 */
export const terminalsSeeder: Seeder = {
  name: 'payment terminals',
  async run(tx, demo, _log, config) {
    const { terminalId, secret, seed } = config.terminals.demo;
    if (!seed) return;
    await tx.client.query(
      `INSERT INTO terminals (terminal_id, organisation_name, organisation_kind, channel, allowed_ips, enabled, secret_enc)
       VALUES ($1, '演示银行杭州分行', 'bank', 'counter', $2, true, $3)`,
      [terminalId, ['127.0.0.1', '::1'], createSecretBox(config.terminals.secretKeys).seal(secret)],
    );
    demo.terminal = {
      terminalId,
      secret: config.terminals.demo.secret === 'demo-terminal-secret-not-for-production' ? secret : '(DEMO_TERMINAL_SECRET)',
      try: 'npm run terminal -- signin, then query 3301000001, pay 3301000001 5000, reverse <serial>, signout, file, reconcile <file>',
    };
  },
};
