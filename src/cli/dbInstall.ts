/**
 * `npm run db:install`: installs mongo-java-server from Maven Central into the cache, for
 * machines without a mongod (CI runs it before the tests).
 */
import { installMongoJavaServer } from '../data/testDatabase';

try {
  const lib = installMongoJavaServer((message) => process.stdout.write(`${message}\n`));
  process.stdout.write(`mongo-java-server is installed in ${lib}\n`);
} catch (error) {
  process.stderr.write(`could not install mongo-java-server: ${(error as Error).message}\n`);
  process.exit(1);
}
