import { notices, utilityProfile } from '../../db/schema';
import type { Seeder } from '../../seed';

const DAY_MS = 86_400_000;

export const metaSeeder: Seeder = {
  name: 'utility profile and notices',
  async run(tx, demo, _log, _config, clock) {
    const now = clock.now().getTime();
    await tx.db.insert(utilityProfile).values({
      name: '江南示范供电公司',
      shortName: '江南供电',
      hotline: '95598',
      serviceHours: '全天 24 小时',
    });
    await tx.db.insert(notices).values([
      {
        title: '居民阶梯电价年度周期将于 12 月 31 日结束',
        summary: '本年度累计用电量将在年末清零，新年度从 1 月 1 日起重新累计，各档电量以账单上的阶梯卡为准。',
        level: 'important',
        publishedAt: new Date(now - 2 * DAY_MS),
      },
      {
        title: '线上缴费渠道一览',
        summary: '微信、支付宝、银行网点和合作便利店均可缴纳电费，到账后账单状态实时更新。',
        level: 'info',
        publishedAt: new Date(now - 5 * DAY_MS),
      },
      {
        title: '冬季安全用电提示',
        summary: '取暖设备请勿长时间无人看管，插座不要串接使用；发现电线发热、焦味请立即断电并报修。',
        level: 'info',
        publishedAt: new Date(now - 9 * DAY_MS),
      },
    ]);
    demo.utility = '江南示范供电公司 (hotline 95598)';
  },
};
