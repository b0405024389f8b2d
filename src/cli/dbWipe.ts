/**
 * `npm run db:wipe`: deletes the data directory of `npm start`'s embedded database
 * (TREATYGATE_DATA_DIR, default `.treatygate/data` in the project root) and says what it
 * held; the next `npm start` begins with an empty database and seeds the demo world.
 *
 * Exit 0 when deleted, or when there was nothing to delete; 1 (deleting nothing) while an
 * embedded database runs on the directory (found by the lock its server holds) or when
 * the directory is not a Treatygate data directory; 2 on bad usage.
 */
import { DataDirInUseError, NotADataDirError, dataDirFromEnv, wipeDataDir } from '../dev/testDatabase';

/** What each top-level entry of a data directory is. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  'mongo-java-server': "mongo-java-server's store",
  mongod: "mongod's data files",
};

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  if (args.length > 0) {
    process.stderr.write(
      'usage: npm run db:wipe\n' +
        'Deletes the data directory of the embedded database (TREATYGATE_DATA_DIR, default .treatygate/data); it takes no arguments.\n',
    );
    return 2;
  }
  const dataDir = dataDirFromEnv();
  try {
    const result = await wipeDataDir(dataDir);
    if (!result.deleted) {
      process.stdout.write(`nothing to delete: ${result.dataDir} does not exist\n`);
      return 0;
    }
    const held = result.contents.map(({ name, bytes }) => `  ${name}/  ${size(bytes)}${DESCRIPTIONS[name] ? `  (${DESCRIPTIONS[name]})` : ''}\n`);
    process.stdout.write(
      `deleted the embedded database's data directory ${result.dataDir}\n` +
        (held.length > 0 ? held.join('') : '  (it held no data)\n') +
        'The next `npm start` begins with an empty database and seeds the demo world.\n',
    );
    return 0;
  } catch (error) {
    if (error instanceof DataDirInUseError || error instanceof NotADataDirError) {
      process.stderr.write(`not deleted: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`db:wipe failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
