/**
 * `npm run db:serve`: starts the development database on its own (the same choice as
 * `npm start` and the tests make), prints its URI, and serves until SIGINT or SIGTERM.
 */
import { startDatabase } from '../data/testDatabase';

startDatabase().then(
  (database) => {
    process.stdout.write(`${database.uri}\n`);
    const stop = (): void => {
      database.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
