/**
 * `npm run seed -- --migrants N [--seed S] [--out file.json]`: a realistic,
 * deterministic synthetic world (the fixture's parties and agreements, N migrants with
 * families, documents, consents and requests). Imports it into MONGODB_URI, or writes it
 * to `--out` in the import format.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { exitWith, withCliDatabase } from './cliDatabase';
import { generateWorld } from '../world/generateWorld';
import { ImportRejectedError, importWorld } from '../world/importWorld';

async function main(): Promise<number> {
  let values: { migrants?: string; seed?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      options: { migrants: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nusage: npm run seed -- --migrants N [--seed S] [--out file.json]\n`);
    return 2;
  }
  const migrants = Number(values.migrants);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(migrants) || migrants < 0 || migrants > 1_000_000) {
    process.stderr.write('--migrants must be an integer from 0 to 1000000\n');
    return 2;
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    process.stderr.write('--seed must be an integer from 0 to 4294967295\n');
    return 2;
  }
  const world = generateWorld({ migrants, seed });
  if (values.out) {
    await writeFile(values.out, `${JSON.stringify(world, null, 1)}\n`);
    process.stdout.write(`wrote ${values.out}: ${world.migrants.length} migrants (seed ${seed})\n`);
    return 0;
  }
  return withCliDatabase('MONGODB_URI is not set: set it, or write the world to a file with --out.', { indexes: true }, async (client, db) => {
    try {
      const s = await importWorld(client, db, world, `<seed ${seed}>`);
      process.stdout.write(`seeded ${s.migrants} migrants, ${s.dataRequests} data requests, ${s.consents} consents (seed ${seed})\n`);
      return 0;
    } catch (error) {
      if (error instanceof ImportRejectedError) {
        process.stderr.write(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
  });
}

exitWith(main(), 'seed failed');
