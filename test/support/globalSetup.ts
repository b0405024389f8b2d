/**
 * Jest global setup: one database server for the whole run (MONGODB_URI if set, else
 * mongodb-memory-server, else mongo-java-server), shared by every test file through
 * MONGODB_URI. Each test file uses a database name of its own.
 */
import { startDatabase } from '../../src/dev/testDatabase';

export default async function globalSetup(): Promise<void> {
  const database = await startDatabase({ log: (message) => process.stderr.write(`\n${message}\n`) });
  (globalThis as { __TREATYGATE_DB__?: typeof database }).__TREATYGATE_DB__ = database;
  process.env['MONGODB_URI'] = database.uri;
  process.env['TREATYGATE_TEST_DB_KIND'] = database.kind;
}
