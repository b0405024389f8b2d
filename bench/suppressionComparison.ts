/**
 * `npm run bench:suppression`: what the audited suppression withholds compared with the
 * rule it replaced (bench/baseline/legacySuppression.ts), on the demo world (`npm start`'s
 * 2,000 generated migrants, seed 1) as the statistics persona sees it: every table over
 * two and over three of the seven dimensions.
 *
 * For each rule it counts primary and complementary suppressions (the complementary ones
 * are the information given up to protect the primary ones), and audits the rule's
 * patterns with the linear-programming attacker (each table with its margins as that
 * rule publishes them): how many withheld counts can be narrowed below minCellSize.
 * It ends with the line
 * `suppression complementary legacy: <a> audited: <b> unprotected legacy: <c> audited: <d>`.
 */
import { MongoClient } from 'mongodb';
import { ensureIndexes } from '../src/data/database';
import { generateWorld } from '../src/world/generateWorld';
import { importWorld } from '../src/world/importWorld';
import { startDatabase } from '../src/dev/testDatabase';
import { bitsOf, popcount, type Mask } from '../src/policy/disclosure/lattice';
import { Protection, type Pattern } from '../src/policy/disclosure/protect';
import { protectTable } from './baseline/legacySuppression';
import { statisticsLattice } from './statsContext';

const DEMO_MIGRANTS = 2_000;

function log(message: string): void {
  process.stderr.write(`bench:suppression: ${message}\n`);
}

async function main(): Promise<void> {
  const database = await startDatabase({ log });
  const client = await MongoClient.connect(database.uri);
  try {
    const db = client.db('bench_suppression');
    await db.dropDatabase();
    await ensureIndexes(db);
    await importWorld(client, db, generateWorld({ migrants: DEMO_MIGRANTS, seed: 1 }), '<demo world>');
    const { lattice, minCellSize } = await statisticsLattice(db);
    const protection = new Protection(lattice, minCellSize);

    // The legacy rule: each table protected on its own, the total withheld below minCellSize.
    const legacy = new Map<Mask, Pattern>();
    const legacyPattern = (mask: Mask): Pattern => {
      const known = legacy.get(mask);
      if (known) return known;
      const counts = lattice.table(mask);
      let pattern: Pattern;
      if (mask === 0) pattern = Uint8Array.of(counts[0]! < minCellSize ? 1 : 0);
      else {
        const observed = [...counts.keys()].filter((c) => counts[c]! > 0).map((c) => ({ key: lattice.keyOf(mask, c), count: counts[c]! }));
        const table = protectTable(observed, popcount(mask), minCellSize);
        const byKey = new Map(table.cells.map((cell) => [cell.key.join('\u0000'), cell.suppressed]));
        // The legacy rule completed the table from the values observed in it; a value absent
        // from the table's own data had no cell (and so nothing to withhold).
        pattern = Uint8Array.from(counts, (_, c) => (byKey.get(lattice.keyOf(mask, c).join('\u0000')) ? 1 : 0));
      }
      legacy.set(mask, pattern);
      return pattern;
    };

    const rows: string[] = [];
    const sums = { 2: { legacy: 0, audited: 0, primary: 0, legacyBad: 0, auditedBad: 0, tables: 0 }, 3: { legacy: 0, audited: 0, primary: 0, legacyBad: 0, auditedBad: 0, tables: 0 } };
    const started = performance.now();
    for (let mask = 1; mask < 1 << lattice.dimensions.length; mask++) {
      const k = popcount(mask);
      if (k !== 2 && k !== 3) continue;
      const counts = lattice.table(mask);
      const audited = await protection.pattern(mask);
      const old = legacyPattern(mask);
      let primary = 0;
      let oldComplementary = 0;
      let newComplementary = 0;
      counts.forEach((count, cell) => {
        if (count < minCellSize) primary++;
        else {
          if (old[cell]) oldComplementary++;
          if (audited[cell]) newComplementary++;
        }
      });
      const oldAudit = await protection.audit(mask, legacyPattern);
      const patterns = new Map<Mask, Pattern>();
      for (let sub = 0; sub <= mask; sub++) if ((sub & mask) === sub) patterns.set(sub, await protection.pattern(sub));
      const newAudit = await protection.audit(mask, (sub) => patterns.get(sub)!);
      const s = sums[k as 2 | 3];
      s.tables++;
      s.primary += primary;
      s.legacy += oldComplementary;
      s.audited += newComplementary;
      s.legacyBad += oldAudit.unprotected;
      s.auditedBad += newAudit.unprotected;
      const name = bitsOf(mask).map((b) => lattice.dimensions[b]).join(' x ');
      rows.push(
        `${name.padEnd(46)} ${String(counts.length).padStart(5)} ${String(primary).padStart(7)} ${String(oldComplementary).padStart(8)} ${String(newComplementary).padStart(8)} ${`${oldAudit.unprotected}/${oldAudit.withheld}`.padStart(10)} ${`${newAudit.unprotected}/${newAudit.withheld}`.padStart(10)}`,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`demo world: ${DEMO_MIGRANTS} migrants, ${STATS_CONTEXT}, minCellSize ${minCellSize}; domains ${lattice.dimensions.map((d, i) => `${d} ${lattice.domains[i]!.length}`).join(', ')}\n\n`);
    process.stdout.write(`${'table'.padEnd(46)} cells primary  legacy+  audited+  legacy-bad  audited-bad\n${rows.join('\n')}\n\n`);
    for (const k of [2, 3] as const) {
      const s = sums[k];
      process.stdout.write(
        `${k}-dimension tables: ${s.tables}; primary ${s.primary}; complementary legacy ${s.legacy}, audited ${s.audited}; withheld counts narrowable below minCellSize: legacy ${s.legacyBad}, audited ${s.auditedBad}\n`,
      );
    }
    process.stdout.write(`protection of the whole lattice: ${seconds.toFixed(1)} s, ${protection.stats.solves} linear programs\n`);
    process.stdout.write(
      `suppression complementary legacy: ${sums[2].legacy + sums[3].legacy} audited: ${sums[2].audited + sums[3].audited} unprotected legacy: ${sums[2].legacyBad + sums[3].legacyBad} audited: ${sums[2].auditedBad + sums[3].auditedBad}\n`,
    );
  } finally {
    await client.close();
    await database.stop();
  }
}

const STATS_CONTEXT = 'IOM, AGR-MED-TIP-2024, STATISTICS';

main().catch((error: unknown) => {
  process.stderr.write(`bench:suppression: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
