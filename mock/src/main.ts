/** `npm run mock`: the mock peers alone, for pointing a separately started server at them. */
import { loadConfig } from '../../server/src/config';
import { startMockServer } from './server';

const config = loadConfig();
const mocks = await startMockServer({
  port: config.mocks.port,
  backofficeSecret: config.backoffice.secret,
  wechat: { appId: config.wechat.appId, secret: config.wechat.secret },
  smsApiKey: config.sms.apiKey,
  amiApiKey: config.ami.apiKey,
});
process.stdout.write(`mock peers on ${mocks.url}\n`);
const stop = () => void mocks.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
