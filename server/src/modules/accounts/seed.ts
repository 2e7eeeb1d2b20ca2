import { electricityAccounts } from '../../db/schema';
import type { Seeder } from '../../seed';

/** Demo electricity accounts across classes and transformer areas; bind them with name + last 4 digits. */
export const DEMO_ACCOUNTS = [
  {
    accountNo: '3301000001',
    holderName: '张伟',
    address: '杭州市西湖区文三路 90 号 3 幢 502 室',
    customerClass: 'residential',
    transformerArea: 'TA-XH-001',
    phoneOnFile: '13800000001',
  },
  {
    accountNo: '3301000002',
    holderName: '王芳',
    address: '杭州市西湖区文三路 90 号 5 幢 1101 室',
    customerClass: 'residential',
    transformerArea: 'TA-XH-001',
    phoneOnFile: '13800000002',
  },
  {
    accountNo: '3301000003',
    holderName: '李娜',
    address: '杭州市拱墅区湖墅南路 28 号 2 单元 301 室',
    customerClass: 'residential',
    transformerArea: 'TA-GS-014',
    phoneOnFile: '13900000003',
  },
  {
    accountNo: '3301000004',
    holderName: '欧阳明',
    address: '杭州市上城区清泰街 188 号 1 楼',
    customerClass: 'commercial',
    transformerArea: 'TA-SC-007',
    phoneOnFile: '13700000004',
  },
  {
    accountNo: '3301000005',
    holderName: '杭州绿源食品有限公司',
    address: '杭州市余杭区良渚街道好运路 66 号',
    customerClass: 'large_industry',
    transformerArea: 'TA-YH-102',
    phoneOnFile: '13600000005',
  },
  {
    accountNo: '3301000006',
    holderName: '陈刚',
    address: '杭州市富阳区银湖街道农庄路 3 号',
    customerClass: 'agricultural',
    transformerArea: 'TA-FY-031',
    phoneOnFile: '13500000006',
  },
] as const;

export const accountsSeeder: Seeder = {
  name: 'electricity accounts',
  async run(tx, demo) {
    await tx.db.insert(electricityAccounts).values(DEMO_ACCOUNTS.map((account) => ({ ...account })));
    demo.accounts = DEMO_ACCOUNTS.map(({ accountNo, holderName, phoneOnFile }) => ({
      accountNo,
      holderName,
      phoneLast4: phoneOnFile.slice(-4),
      bindCodeGoesTo: phoneOnFile,
    }));
    demo.customerLogin = 'H5: any mainland mobile number; read the code at GET /sms/messages?phone=… on the mock peers';
  },
};
