/**
 * `npm run audit:verify`: verifies every hash chain of the audit trail in MONGODB_URI /
 * MONGODB_DB. Exit 0 when intact; 1 naming the first bad event otherwise; 2 on bad usage.
 */
import { connectDatabase } from '../data/database';
import { verifyAuditTrail } from '../data/auditStore';

async function main(): Promise<number> {
  const uri = process.env['MONGODB_URI'];
  if (!uri) {
    process.stderr.write('MONGODB_URI is not set: set it to the database whose audit trail to verify.\n');
    return 2;
  }
  const client = await connectDatabase(uri);
  try {
    const report = await verifyAuditTrail(client.db(process.env['MONGODB_DB'] || 'treatygate'));
    if (report.valid) {
      process.stdout.write(`audit trail intact: ${report.checkedEvents} events in ${report.chains} chains\n`);
      return 0;
    }
    process.stderr.write(
      `audit trail NOT intact: first bad event ${report.firstInvalidEventId} (after ${report.checkedEvents - 1} good events; ${report.chains} chains)\n`,
    );
    return 1;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`audit verification failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
