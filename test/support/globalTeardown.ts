/** Jest global teardown: stops the database server that global setup started. */
import type { StartedDatabase } from '../../src/dev/testDatabase';

export default async function globalTeardown(): Promise<void> {
  const database = (globalThis as { __TREATYGATE_DB__?: StartedDatabase }).__TREATYGATE_DB__;
  if (database) await database.stop();
}
