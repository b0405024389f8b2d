/**
 * `npm run audit:verify`: verifies every hash chain of the audit trail in MONGODB_URI /
 * MONGODB_DB, streaming the events (memory does not grow with their number), and prints
 * one line per chain. The MACs are checked with AUDIT_KEY and AUDIT_KEYS_RETIRED (the
 * development key when unset outside production). Exit 0 when intact; 1 naming the first bad event otherwise; 2 on bad
 * usage.
 */
import { exitWith, withCliDatabase } from './cliDatabase';
import { verifyAuditTrail } from '../data/auditStore';
import { readAuditKeyring } from '../audit/keys';

async function main(): Promise<number> {
  const problems: string[] = [];
  const keys = readAuditKeyring(process.env['AUDIT_KEY'], process.env['AUDIT_KEYS_RETIRED'], process.env['NODE_ENV'] === 'production', problems);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return 2;
  }
  return withCliDatabase('MONGODB_URI is not set: set it to the database whose audit trail to verify.', { indexes: false }, async (_client, db) => {
    const report = await verifyAuditTrail(db, keys.byId);
    for (const chain of report.perChain) {
      const state = chain.valid ? 'intact' : `NOT intact from ${chain.firstInvalidEventId}`;
      (chain.valid ? process.stdout : process.stderr).write(`chain ${chain.chain}: ${chain.events} events, ${state}\n`);
    }
    if (report.valid) {
      process.stdout.write(`audit trail intact: ${report.checkedEvents} events in ${report.chains} chains\n`);
      return 0;
    }
    process.stderr.write(
      `audit trail NOT intact: first bad event ${report.firstInvalidEventId} (after ${report.checkedEvents - 1} good events; ${report.chains} chains)\n`,
    );
    return 1;
  });
}

exitWith(main(), 'audit verification failed');
