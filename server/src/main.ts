/**
 * The server alone, never the mock peers (`npm start`, scripts/start.ts, hosts those beside it):
 * `node --import tsx server/src/main.ts` is the production entry and what the tests spawn. Without
 * DATABASE_URL it starts an embedded PostgreSQL in .data/pg; it migrates, seeds the demo utility
 * once and serves the API (and the H5 page when built).
 *
 * With NODE_ENV=production it seeds nothing, writes and prints no credentials, and refuses
 * development secrets (see config-production.ts); staff come from `npm run staff:create`.
 */
import { serve } from './serve';

await serve();
