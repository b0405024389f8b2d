/**
 * `npm run import -- <file.json> [<file.json> ...]`: validates each file whole and
 * imports it into MONGODB_URI / MONGODB_DB. A file with any bad record is rejected with
 * every problem listed, and nothing of it is written. Exit code 0 on success, 1 when a
 * file was rejected, 2 on bad usage.
 */
import { exitWith, withCliDatabase } from './cliDatabase';
import { erasedNotRestoredLine, ImportRejectedError, importWorldFile } from '../world/importWorld';

async function main(): Promise<number> {
  const files = process.argv.slice(2).filter((arg) => arg !== '--');
  if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
    process.stderr.write('usage: npm run import -- <file.json> [<file.json> ...]\n');
    return 2;
  }
  return withCliDatabase(
    'MONGODB_URI is not set: set it to the database to import into (npm start prints the URI of its embedded database).',
    { indexes: true },
    async (client, db) => {
      let failed = false;
      for (const file of files) {
        try {
          const s = await importWorldFile(client, db, file);
          process.stdout.write(
            `${file}: imported ${s.parties} parties, ${s.agreements} agreements, ${s.migrants} migrants, ` +
              `${s.dataRequests} data requests, ${s.consents} consents, ${s.trust} trust entries${s.transactional ? ' (one transaction)' : ''}\n`,
          );
          for (const record of s.erasedNotRestored) process.stdout.write(`${file}: ${erasedNotRestoredLine(record)}\n`);
        } catch (error) {
          if (!(error instanceof ImportRejectedError)) throw error;
          process.stderr.write(`${error.message}\n`);
          failed = true;
        }
      }
      return failed ? 1 : 0;
    },
  );
}

exitWith(main(), 'import failed');
