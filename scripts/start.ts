/**
 * `npm start`: the whole product on one machine, the server with the mock peers in the same
 * process when MOCKS is on (the default outside production). The peers' code is loaded only then,
 * so a production start loads none of it; the server itself never imports `mock/`.
 */
import { serve } from '../server/src/serve';

await serve({
  async startPeers(config) {
    const [{ startMockServer }, { mockOptionsFrom }] = await Promise.all([import('../mock/src/server'), import('../mock/src/options')]);
    return startMockServer(await mockOptionsFrom(config));
  },
});
