import { addDays, shanghaiDate, shanghaiMidnight } from '../../../../shared/dates';
import type { Seeder } from '../../seed';

const HOUR = 3_600_000;

/** Feeders for publishing by line, an upcoming planned outage on the demo resident's area, and a fault in progress. */
export const outagesSeeder: Seeder = {
  name: 'feeders and outages',
  async run(tx, demo, _log, _config, clock) {
    await tx.client.query(
      `INSERT INTO feeders (code, name, district, areas) VALUES
         ('F-XH-10', '10kV 文三线', '西湖区', ARRAY['TA-XH-001', 'TA-XH-002']),
         ('F-GS-03', '10kV 湖墅线', '拱墅区', ARRAY['TA-GS-014', 'TA-GS-015'])`,
    );
    const now = clock.now().getTime();
    const tomorrow = shanghaiMidnight(addDays(shanghaiDate(new Date(now)), 1)).getTime();
    const outages = [
      [
        'planned',
        'scheduled',
        '文三路线路检修',
        '10kV 文三线设备检修，检修期间相关台区停电',
        '西湖区',
        ['TA-XH-001'],
        'F-XH-10',
        tomorrow + 8 * HOUR,
        tomorrow + 12 * HOUR,
      ],
      ['unplanned', 'in_progress', '湖墅南路故障抢修', '台区低压电缆故障，正在抢修', '拱墅区', ['TA-GS-014'], null, now - HOUR, now + 3 * HOUR],
    ] as const;
    for (const [kind, status, title, reason, district, areas, feeder, start, end] of outages) {
      const {
        rows: [row],
      } = await tx.client.query<{ id: number }>(
        `INSERT INTO outages (kind, status, title, reason, district, areas, feeder, scheduled_start, scheduled_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [kind, status, title, reason, district, areas, feeder, new Date(start), new Date(end)],
      );
      await tx.client.query(`INSERT INTO outage_changes (outage_id, event, changes) VALUES ($1, 'published', $2)`, [row!.id, { status, areas }]);
    }
    demo.outages = 'A planned outage tomorrow on TA-XH-001 (3301000001, 3301000002) and a fault in progress on TA-GS-014; staff: /api/staff/outages';
  },
};
