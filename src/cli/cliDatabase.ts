/**
 * The database of the command-line tools: MONGODB_URI and MONGODB_DB (default
 * `treatygate`), connected for one run and always closed afterwards.
 */
import type { Db, MongoClient } from 'mongodb';
import { connectDatabase, ensureIndexes } from '../data/database';

/**
 * Runs `run` against the configured database. Without MONGODB_URI it writes
 * `missingUriMessage` to stderr and returns exit code 2. With `indexes`, the gateway's
 * indexes are ensured first.
 */
export async function withCliDatabase(
  missingUriMessage: string,
  options: { indexes: boolean },
  run: (client: MongoClient, db: Db) => Promise<number>,
): Promise<number> {
  const uri = process.env['MONGODB_URI'];
  if (!uri) {
    process.stderr.write(`${missingUriMessage}\n`);
    return 2;
  }
  const client = await connectDatabase(uri);
  try {
    const db = client.db(process.env['MONGODB_DB'] || 'treatygate');
    if (options.indexes) await ensureIndexes(db);
    return await run(client, db);
  } finally {
    await client.close();
  }
}

/** Ends the process with `main`'s exit code, or 1 with `label: message` on an unexpected error. */
export function exitWith(main: Promise<number>, label: string): void {
  main.then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${label}: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
