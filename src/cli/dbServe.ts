/**
 * `npm run db:serve [-- --port <n>]`: starts the development database on its own, with the
 * same choice `npm start` and the tests make (startDatabase: MONGODB_URI,
 * mongodb-memory-server, mongo-java-server), prints its URI as the first line of standard
 * output (the log of which server it is goes to standard error), and serves until SIGINT
 * or SIGTERM, then stops it and exits 0. `--port` lets a developer or a test stop it and
 * start it again at the same URI.
 */
import { startDatabase, type StartedDatabase } from '../data/testDatabase';

function parsePort(args: string[]): number | undefined {
  if (args.length === 0) return undefined;
  const port = Number(args[1]);
  if (args.length !== 2 || args[0] !== '--port' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`usage: db:serve [--port <1-65535>], got: ${args.join(' ')}`);
  }
  return port;
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
    const database = await startDatabase({ port: parsePort(process.argv.slice(2)) });
    process.stdout.write(`${database.uri}\n`);
    stopOnSignals(database);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}

void main();
