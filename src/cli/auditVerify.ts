/**
 * `npm run audit:verify [-- --checkpoint FILE ...] [--public-key FILE]`: verifies every
 * hash chain of the audit trail in MONGODB_URI / MONGODB_DB, streaming the events (memory
 * does not grow with their number), and prints one line per chain. The MACs are checked
 * with AUDIT_KEY and AUDIT_KEYS_RETIRED (the development key when unset outside
 * production). With `--checkpoint`, each signed checkpoint is checked (Ed25519, with the
 * public key of `--public-key`, else AUDIT_SIGNING_PUBLIC_KEY, else derived from
 * AUDIT_SIGNING_KEY) and compared with the trail: a chain it names that is missing,
 * shorter, or holds another hash at its checkpointed sequence number fails.
 * Exit 0 when intact; 1 naming what is wrong otherwise; 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KeyObject } from 'node:crypto';
import { exitWith, withCliDatabase } from './cliDatabase';
import { verifyAuditTrail } from '../data/auditStore';
import { openCheckpoint, readVerifyingKey } from '../audit/checkpoint';
import type { CheckpointedHead } from '../audit/chain';
import { readAuditKeyring } from '../audit/keys';

function usage(message: string): number {
  process.stderr.write(`${message}\nusage: npm run audit:verify [-- --checkpoint FILE ... [--public-key FILE]]\n`);
  return 2;
}

async function main(): Promise<number> {
  let args: { checkpoint?: string[]; 'public-key'?: string };
  try {
    args = parseArgs({ options: { checkpoint: { type: 'string', multiple: true }, 'public-key': { type: 'string' } }, allowPositionals: false }).values;
  } catch (error) {
    return usage((error as Error).message);
  }
  const problems: string[] = [];
  const keys = readAuditKeyring(process.env['AUDIT_KEY'], process.env['AUDIT_KEYS_RETIRED'], process.env['NODE_ENV'] === 'production', problems);
  if (problems.length > 0) return usage(problems.join('\n'));

  // The heads of every checkpoint given: each is compared with the trail on its own terms.
  const checkpointed: CheckpointedHead[] = [];
  const files = args.checkpoint ?? [];
  if (files.length > 0) {
    const keySource = args['public-key'] ?? process.env['AUDIT_SIGNING_PUBLIC_KEY'] ?? process.env['AUDIT_SIGNING_KEY'];
    if (!keySource) return usage('--checkpoint needs the public key: --public-key FILE, AUDIT_SIGNING_PUBLIC_KEY or AUDIT_SIGNING_KEY');
    let publicKey: KeyObject;
    try {
      publicKey = readVerifyingKey(keySource);
    } catch (error) {
      return usage(`the checkpoint key cannot be read: ${(error as Error).message}`);
    }
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        return usage(`${file}: cannot be read (${(error as Error).message})`);
      }
      const opened = openCheckpoint(text, publicKey);
      if (!opened.ok) {
        process.stderr.write(`audit trail NOT verified: checkpoint ${file}: ${opened.problem}\n`);
        return 1;
      }
      process.stdout.write(`checkpoint ${file}: signature good, ${opened.checkpoint.chains.length} chains at ${opened.checkpoint.at}\n`);
      checkpointed.push(...opened.checkpoint.chains);
    }
  }

  return withCliDatabase('MONGODB_URI is not set: set it to the database whose audit trail to verify.', { indexes: false }, async (_client, db) => {
    const report = await verifyAuditTrail(db, keys.byId, checkpointed);
    for (const chain of report.perChain) {
      const state = chain.valid ? 'intact' : `NOT intact from ${chain.firstInvalidEventId}`;
      (chain.valid ? process.stdout : process.stderr).write(`chain ${chain.chain}: ${chain.events} events, ${state}\n`);
    }
    for (const problem of report.checkpointProblems) process.stderr.write(`checkpoint: ${problem}\n`);
    if (report.valid) {
      process.stdout.write(`audit trail intact: ${report.checkedEvents} events in ${report.chains} chains\n`);
      return 0;
    }
    if (report.firstInvalidEventId !== null) {
      process.stderr.write(
        `audit trail NOT intact: first bad event ${report.firstInvalidEventId} (after ${report.checkedEvents - 1} good events; ${report.chains} chains)\n`,
      );
    } else {
      process.stderr.write(`audit trail NOT intact: it no longer holds what a checkpoint recorded (${report.checkpointProblems.length} problems)\n`);
    }
    return 1;
  });
}

exitWith(main(), 'audit verification failed');
