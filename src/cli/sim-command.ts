import { UsageError } from '../app/errors.js';
import { openFileLogger } from '../app/file-logger.js';
import { Kernel } from '../runtime/kernel.js';
import { simBanner } from '../sim/describe.js';
import { startSimServer } from '../sim/server.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export interface SimCommandOptions {
  port: number;
  host: string;
  seed?: number;
  markets?: string[];
  logFile: string;
}

/** `upbit-tui sim`: the embedded exchange on its own, owned by a kernel until a signal. */
export async function runSimCommand(o: SimCommandOptions): Promise<void> {
  if (!LOOPBACK.has(o.host) && !o.host.startsWith('127.')) {
    throw new UsageError(`--host ${o.host} is not a loopback address. The built-in exchange only listens on loopback (127.0.0.1 or ::1).`);
  }
  const log = openFileLogger(o.logFile);
  let sim;
  try {
    sim = await startSimServer({ host: o.host, port: o.port, seed: o.seed, markets: o.markets, logger: log.logger.child({ c: 'sim' }) });
  } catch (error) {
    await log.close();
    throw new UsageError(`Cannot start the built-in exchange on ${o.host}:${o.port}: ${error instanceof Error ? error.message : String(error)}. Pick another --port, or 0 for a free one.`, 1, { cause: error });
  }
  const server = sim;
  const kernel = new Kernel({ logger: log.logger.child({ c: 'kernel' }) });
  kernel.acquire('log file', () => log.close());
  kernel.acquire('embedded exchange', () => server.close());
  kernel.attachProcess();
  for (const line of simBanner(server)) process.stdout.write(`${line}\n`);
}
