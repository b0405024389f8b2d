/**
 * `npm run db:install`: installs mongo-java-server (from Maven Central, with Maven) into
 * the cache (TREATYGATE_CACHE_DIR, default ~/.cache/treatygate) for machines without a
 * mongod; CI runs it before the tests so that no test waits for an install. Prints where it
 * is; exits 1 with the reason when it cannot install.
 */
import { installMongoJavaServer, MONGO_JAVA_SERVER_VERSION } from '../dev/testDatabase';

async function main(): Promise<void> {
  try {
    const lib = await installMongoJavaServer((message) => process.stdout.write(`${message}\n`));
    process.stdout.write(`mongo-java-server ${MONGO_JAVA_SERVER_VERSION} is installed in ${lib}\n`);
  } catch (error) {
    process.stderr.write(
      `could not install mongo-java-server ${MONGO_JAVA_SERVER_VERSION}: ${(error as Error).message}\n` +
        'It needs Java 17+ and Maven (mvn) with access to Maven Central. ' +
        'Alternatively set MONGODB_URI to a MongoDB server, or put a mongod on the PATH.\n',
    );
    process.exitCode = 1;
  }
}

void main();
