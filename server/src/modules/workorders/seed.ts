import type { Seeder } from '../../seed';

/** Service grids over the demo transformer areas, each managed by a grid manager (grid-xh for 西湖). */
export const gridsSeeder: Seeder = {
  name: 'service grids',
  async run(tx, demo) {
    await tx.client.query(
      `INSERT INTO service_grids (code, name, manager_staff_id) VALUES
         ('GRID-XH', '西湖文三网格', (SELECT id FROM staff_users WHERE username = 'grid-xh')),
         ('GRID-CITY', '城区综合网格', (SELECT id FROM staff_users WHERE username = 'backoffice'))`,
    );
    await tx.client.query(
      `INSERT INTO grid_areas (transformer_area, grid_code) VALUES
         ('TA-XH-001', 'GRID-XH'), ('TA-XH-002', 'GRID-XH'),
         ('TA-GS-014', 'GRID-CITY'), ('TA-SC-007', 'GRID-CITY'), ('TA-YH-102', 'GRID-CITY'), ('TA-FY-031', 'GRID-CITY')`,
    );
    demo.grids = 'Work orders for TA-XH-001/002 go to grid-xh (西湖文三网格); the other demo areas to backoffice';
  },
};
