import { randomBytes } from 'node:crypto';
import { staffUsers } from '../../db/schema';
import type { Seeder } from '../../seed';
import { hashPassword } from './password';

const DEMO_STAFF = [
  { username: 'admin', displayName: '系统管理员', roles: ['admin'] },
  { username: 'backoffice', displayName: '后台受理员', roles: ['back_office'] },
  { username: 'grid-xh', displayName: '西湖网格经理', roles: ['grid_manager'] },
];

/** Staff users with passwords made at seed time (shown once, in the demo credentials). */
export const staffSeeder: Seeder = {
  name: 'staff users',
  async run(tx, demo) {
    const logins: Array<{ username: string; password: string; roles: string[] }> = [];
    for (const staff of DEMO_STAFF) {
      const password = randomBytes(9).toString('base64url');
      await tx.db.insert(staffUsers).values({ ...staff, passwordHash: await hashPassword(password) });
      logins.push({ username: staff.username, password, roles: staff.roles });
    }
    demo.staff = logins;
  },
};
