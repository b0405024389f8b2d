/**
 * `npm run db:serve [-- --port <n>] [--data-dir <dir>]`: starts the development database on
 * its own, with the same choice `npm start` and the tests make (startDatabase: MONGODB_URI,
 * mongodb-memory-server, mongo-java-server), prints its URI as the first line of standard
 * output (the log of which server it is goes to standard error), and serves until SIGINT
 * or SIGTERM, then stops it and exits 0. `--port` lets a developer or a test stop it and
 * start it again at the same URI. In memory by default; `--data-dir` keeps the data in
 * that directory (persistent mode, as `npm start` does in its data directory).
 */
import { startDatabase, type StartedDatabase } from '../dev/testDatabase';

const USAGE = 'usage: db:serve [--port <1-65535>] [--data-dir <directory>]';

function parseArgs(args: string[]): { port?: number; dataDir?: string } {
  const parsed: { port?: number; dataDir?: string } = {};
  const rest = args.filter((arg) => arg !== '--');
  for (let i = 0; i < rest.length; i += 2) {
    const [name, value] = [rest[i], rest[i + 1]];
    if (name === '--port' && parsed.port === undefined && value !== undefined) {
      const port = Number(value);
      if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new Error(`${USAGE}, got: ${args.join(' ')}`);
      parsed.port = port;
    } else if (name === '--data-dir' && parsed.dataDir === undefined && value !== undefined && value.trim() !== '') {
      parsed.dataDir = value;
    } else {
      throw new Error(`${USAGE}, got: ${args.join(' ')}`);
    }
  }
  return parsed;
}

function stopOnSignals(database: StartedDatabase): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    database.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`could not stop the database: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Signal handlers do not keep Node running; an external database has no child process that would.
  setInterval(() => undefined, 1 << 30);
}

async function main(): Promise<void> {
  try {
    const database = await startDatabase(parseArgs(process.argv.slice(2)));
    process.stdout.write(`${database.uri}\n`);
    stopOnSignals(database);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}

void main();
