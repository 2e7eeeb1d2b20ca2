import { addDays, shanghaiDate, shanghaiMidnight } from '../../../../shared/dates';
import { feeders, outageChanges, outages as outageRows } from '../../db/schema';
import type { Seeder } from '../../seed';

const HOUR = 3_600_000;

/** Feeders for publishing by line, an upcoming planned outage on the demo resident's area, and a fault in progress. */
export const outagesSeeder: Seeder = {
  name: 'feeders and outages',
  async run(tx, demo, _log, _config, clock) {
    await tx.db.insert(feeders).values([
      { code: 'F-XH-10', name: '10kV 文三线', district: '西湖区', areas: ['TA-XH-001', 'TA-XH-002'] },
      { code: 'F-GS-03', name: '10kV 湖墅线', district: '拱墅区', areas: ['TA-GS-014', 'TA-GS-015'] },
    ]);
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
      const [row] = await tx.db
        .insert(outageRows)
        .values({ kind, status, title, reason, district, areas: [...areas], feeder, scheduledStart: new Date(start), scheduledEnd: new Date(end) })
        .returning({ id: outageRows.id });
      await tx.db.insert(outageChanges).values({ outageId: row!.id, event: 'published', changes: { status, areas } });
    }
    demo.outages = 'A planned outage tomorrow on TA-XH-001 (3301000001, 3301000002) and a fault in progress on TA-GS-014; staff: /api/staff/outages';
  },
};
