/**
 * `npm run terminal -- <command>`: the demo terminal at a bank counter, signing as DEMO_TERMINAL_ID
 * with DEMO_TERMINAL_SECRET against the server at TERMINAL_API_URL (default: HOST and PORT). It
 * keeps its own journal of the day in $DATA_DIR/terminal/, as a real terminal would, and writes its
 * reconciliation file from it.
 *
 *   signin [date]                      open the accounting day (default: today in Shanghai)
 *   query <accountNo>                  what the account owes
 *   pay <accountNo> <fen> [ids]        pay; ids = receivable ids, comma-separated (optional)
 *   reverse <serial>                   reverse a payment of the open day, full amount
 *   signout                            close the day; prints count and total
 *   file                               write the day's reconciliation file from the journal
 *   reconcile [file]                   send the file (default: the one `file` writes)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../../server/src/config';
import { shanghaiDate } from '../../../shared/dates';
import { createTerminalClient, dayFile, type TerminalReply } from './client';

interface Journal {
  accountingDate: string | null;
  lastSerial: number;
  payments: Array<{ serial: string; accountNo: string; amountFen: number; reversed: boolean }>;
}

const config = loadConfig();
const { terminalId, secret } = config.terminals.demo;
const baseUrl = process.env.TERMINAL_API_URL ?? `http://${config.host}:${config.port}`;
const client = createTerminalClient({ baseUrl, terminalId, secret });
const journalFile = path.join(config.dataDir, 'terminal', `${terminalId}.json`);

async function readJournal(): Promise<Journal> {
  try {
    return JSON.parse(await fs.readFile(journalFile, 'utf8')) as Journal;
  } catch {
    return { accountingDate: null, lastSerial: 0, payments: [] };
  }
}

async function writeJournal(journal: Journal): Promise<void> {
  await fs.mkdir(path.dirname(journalFile), { recursive: true });
  await fs.writeFile(journalFile, `${JSON.stringify(journal, null, 2)}\n`);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function print(reply: TerminalReply): void {
  const replayed = reply.headers.get('Idempotent-Replayed') ? ' (replayed)' : '';
  process.stdout.write(`HTTP ${reply.status}${replayed}\n${JSON.stringify(reply.body, null, 2)}\n`);
  if (reply.status >= 400) process.exitCode = 1;
}

const dayOf = (journal: Journal) => journal.accountingDate ?? fail('No accounting day open in the journal: run `signin` first');
const fileFor = (date: string) => path.join(config.dataDir, 'terminal', `${terminalId}-${date}.txt`);

const [command, ...args] = process.argv.slice(2);
const journal = await readJournal();
switch (command) {
  case 'signin': {
    const date = args[0] ?? shanghaiDate(new Date());
    const reply = await client.signin(date);
    print(reply);
    if (reply.status === 200 && journal.accountingDate !== date) await writeJournal({ accountingDate: date, lastSerial: 0, payments: [] });
    break;
  }
  case 'query':
    print(await client.query(args[0] ?? fail('usage: query <accountNo>')));
    break;
  case 'pay': {
    const [accountNo, fen, ids] = args;
    if (!accountNo || !fen) fail('usage: pay <accountNo> <amountFen> [receivableId,…]');
    const date = dayOf(journal);
    const serial = `${date.replaceAll('-', '')}${String(journal.lastSerial + 1).padStart(6, '0')}`;
    const reply = await client.pay({
      serial,
      accountingDate: date,
      accountNo,
      amountFen: Number(fen),
      ...(ids ? { receivableIds: ids.split(',').map(Number) } : {}),
    });
    print(reply);
    journal.lastSerial += 1;
    if (reply.status === 200) journal.payments.push({ serial, accountNo, amountFen: Number(fen), reversed: false });
    await writeJournal(journal);
    break;
  }
  case 'reverse': {
    const original = journal.payments.find((payment) => payment.serial === args[0]) ?? fail('usage: reverse <serial of a payment in the journal>');
    const date = dayOf(journal);
    const serial = `${date.replaceAll('-', '')}${String(journal.lastSerial + 1).padStart(6, '0')}`;
    const reply = await client.reverse({ serial, accountingDate: date, originalSerial: original.serial, amountFen: original.amountFen });
    print(reply);
    journal.lastSerial += 1;
    if (reply.status === 200) original.reversed = true;
    await writeJournal(journal);
    break;
  }
  case 'signout':
    print(await client.signout(dayOf(journal)));
    break;
  case 'file': {
    const date = dayOf(journal);
    await fs.writeFile(
      fileFor(date),
      dayFile(
        date,
        journal.payments.filter((payment) => !payment.reversed),
      ),
    );
    process.stdout.write(`${fileFor(date)}\n`);
    break;
  }
  case 'reconcile': {
    const date = dayOf(journal);
    const file = await fs.readFile(args[0] ?? fileFor(date), 'utf8');
    const header = /^H\|(\d{4}-\d{2}-\d{2})\|/.exec(file);
    print(await client.reconcile(header?.[1] ?? date, file));
    break;
  }
  default:
    fail('commands: signin [date] | query <accountNo> | pay <accountNo> <fen> [ids] | reverse <serial> | signout | file | reconcile [file]');
}
