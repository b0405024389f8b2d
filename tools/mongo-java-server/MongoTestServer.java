// Launcher of mongo-java-server (a MongoDB-wire server on the JVM) for Treatygate's
// development, CI and benchmark database (src/data/testDatabase.ts starts it). Run as a
// single-file source program:
//
//   java -cp "<cache>/lib/*" tools/mongo-java-server/MongoTestServer.java 127.0.0.1 <port> [<data-file>]
//
// Without <data-file> the data lives in memory (MemoryBackend) and is gone when the server
// stops. With it, the data is kept in that file, an H2 MVStore (H2Backend of
// mongo-java-server-h2-backend), and a later server on the same file finds it again.
//
// Contract with the Node side:
// - It binds exactly the given host and port (the caller passes 127.0.0.1, never
//   "localhost", which may resolve to ::1 first).
// - It declares MongoDB 5.0.0 with wire version 13: the library's own MONGO_5_0 constant
//   reports wire version 8, and MongoDB driver 7.x refuses servers below 9.
// - When it serves, it prints exactly one line to stdout:
//     MongoTestServer ready <host>:<port>
// - It exits with code 3 when the port is already in use (the caller may retry on another
//   port), 4 when the data file is locked by another process (another server uses it), 2 on
//   bad arguments, 1 on any other start failure. Without these explicit exits a failed bind
//   would leave Netty's non-daemon threads running and the JVM alive.
// - It serves until its standard input reaches end-of-file or it receives SIGTERM/SIGINT.
//   The parent keeps stdin as a pipe, so when the parent dies (even by SIGKILL) the pipe
//   closes and the server stops with it.
// - With a data file: the file is opened (and locked: H2 holds an OS file lock on it while
//   open, so a second server on the same file exits with code 4 instead of corrupting it)
//   before the port is bound. While it serves, <data-file>.pid holds its process id (for
//   tools on systems without /proc/locks). On stopping (end of stdin, SIGTERM, SIGINT) it
//   closes the store, which commits what is not written yet, and then removes the .pid
//   file. Between stops the store commits on its own about once a second (MVStore's
//   auto-commit), so even a SIGKILL loses at most the last second of writes, and the file
//   stays consistent (MVStore only ever appends and switches to a new version once written).

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

public class MongoTestServer {
    static final int EXIT_USAGE = 2;
    static final int EXIT_PORT_IN_USE = 3;
    static final int EXIT_DATA_LOCKED = 4;

    /** MongoDB 5.0.0 with its real wire version (13), which driver 7.x accepts. */
    static final class Mongo50 implements MongoVersion {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    }

    public static void main(String[] args) {
        // No SLF4J provider is installed on purpose (the server is quiet); this keeps
        // SLF4J's "no providers" warning off stderr, which the caller shows on failures.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: MongoTestServer <host> <port> [<data-file>]");
            System.exit(EXIT_USAGE);
        }
        String host = args[0];
        int port = parsePort(args[1]);
        Path dataFile = args.length == 3 ? Path.of(args[2]).toAbsolutePath() : null;
        try {
            serve(host, port, dataFile);
        } catch (Throwable e) {
            System.err.println("MongoTestServer: failed: " + describe(e));
            System.exit(1);
        }
        System.exit(0); // runs the shutdown hook
    }

    static void serve(String host, int port, Path dataFile) throws IOException {
        MongoBackend backend = dataFile == null ? new MemoryBackend() : openStore(dataFile);
        backend.version(new Mongo50());
        // shutdownNow closes the backend last (after the clients and the event loops), and
        // H2Backend.close() closes the MVStore: it commits and releases the file lock.
        MongoServer server = new MongoServer(backend);
        bindOrExit(server, host, port);
        Path pidFile = dataFile == null ? null : writePidFile(dataFile);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, pidFile), "mongo-test-server-shutdown"));
        System.out.println("MongoTestServer ready " + host + ":" + port);
        System.out.flush();
        awaitEndOfInput();
    }

    /** Opens (or creates) the store; exits with EXIT_DATA_LOCKED if another process has it open. */
    static H2Backend openStore(Path dataFile) throws IOException {
        Path dir = dataFile.getParent();
        if (dir != null) Files.createDirectories(dir);
        MVStore store;
        try {
            store = new MVStore.Builder().fileName(dataFile.toString()).open();
        } catch (MVStoreException e) {
            if (e.getErrorCode() != DataUtils.ERROR_FILE_LOCKED) throw e;
            System.err.println("MongoTestServer: the data file " + dataFile + " is in use by another server (it is locked); "
                + "stop that server first, or use another data directory");
            System.exit(EXIT_DATA_LOCKED);
            return null;
        }
        try {
            // Reopens every database and collection (and its unique indexes) in the file.
            return new H2Backend(store);
        } catch (RuntimeException e) {
            store.closeImmediately();
            throw e;
        }
    }

    static Path writePidFile(Path dataFile) throws IOException {
        Path pidFile = Path.of(dataFile + ".pid");
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
        return pidFile;
    }

    /** The shutdown hook: stops serving, closes the store (committing), then removes the .pid file if it is still ours. */
    static void stop(MongoServer server, Path pidFile) {
        try {
            server.shutdownNow();
        } catch (Throwable e) {
            System.err.println("MongoTestServer: failed to stop cleanly: " + describe(e));
        }
        if (pidFile == null) return;
        try {
            String content = Files.readString(pidFile, StandardCharsets.UTF_8).trim();
            if (content.equals(String.valueOf(ProcessHandle.current().pid()))) Files.delete(pidFile);
        } catch (IOException e) {
            // Already gone, or unreadable: a stale .pid file names a dead process, which readers check.
        }
    }

    static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port > 0 && port < 65536) return port;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println("MongoTestServer: port must be 1-65535, got \"" + text + "\"");
        System.exit(EXIT_USAGE);
        return -1;
    }

    static void bindOrExit(MongoServer server, String host, int port) {
        try {
            server.bind(host, port);
        } catch (Exception e) { // Netty rethrows the checked BindException undeclared
            boolean inUse = addressInUse(e);
            System.err.println("MongoTestServer: cannot bind " + host + ":" + port + ": " + describe(e));
            server.shutdownNow();
            System.exit(inUse ? EXIT_PORT_IN_USE : 1);
        }
    }

    /** True when the port is taken (worth retrying elsewhere), not for a bad address. */
    static boolean addressInUse(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof BindException && String.valueOf(t.getMessage()).contains("in use")) return true;
        }
        return false;
    }

    static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** Blocks until stdin closes; its content is ignored. */
    static void awaitEndOfInput() {
        byte[] buffer = new byte[256];
        try {
            while (System.in.read(buffer) != -1) {
                // Input is ignored.
            }
        } catch (IOException e) {
            // A broken stdin means the parent is gone: stop as on end-of-file.
        }
    }
}
