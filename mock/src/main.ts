/** `npm run mock`: the mock peers alone, for pointing a separately started server at them. */
import { loadConfig } from '../../server/src/config';
import { mockOptionsFrom } from './options';
import { startMockServer } from './server';

const config = loadConfig();
const mocks = await startMockServer(await mockOptionsFrom(config));
process.stdout.write(`mock peers on ${mocks.url}\n`);
const stop = () => void mocks.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
