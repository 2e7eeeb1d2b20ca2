import { gridAreas, serviceGrids } from '../../db/schema';
import type { Seeder } from '../../seed';
import { staffIdsByUsername } from '../auth/published';

/** Service grids over the demo transformer areas, each managed by a grid manager (grid-xh for 西湖). Runs after the staff seed. */
export const gridsSeeder: Seeder = {
  name: 'service grids',
  async run(tx, demo) {
    const staff = await staffIdsByUsername(tx.db, ['grid-xh', 'backoffice']);
    await tx.db.insert(serviceGrids).values([
      { code: 'GRID-XH', name: '西湖文三网格', managerStaffId: staff.get('grid-xh') ?? null },
      { code: 'GRID-CITY', name: '城区综合网格', managerStaffId: staff.get('backoffice') ?? null },
    ]);
    await tx.db.insert(gridAreas).values(
      [
        ['TA-XH-001', 'GRID-XH'],
        ['TA-XH-002', 'GRID-XH'],
        ['TA-GS-014', 'GRID-CITY'],
        ['TA-SC-007', 'GRID-CITY'],
        ['TA-YH-102', 'GRID-CITY'],
        ['TA-FY-031', 'GRID-CITY'],
      ].map(([transformerArea, gridCode]) => ({ transformerArea: transformerArea!, gridCode: gridCode! })),
    );
    demo.grids = 'Work orders for TA-XH-001/002 go to grid-xh (西湖文三网格); the other demo areas to backoffice';
  },
};
