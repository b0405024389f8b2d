// Launcher of mongo-java-server (an in-memory MongoDB-wire server) for Treatygate's
// development, CI and benchmark database (src/data/testDatabase.ts starts it). Run as a
// single-file source program:
//
//   java -cp "<cache>/lib/*" tools/mongo-java-server/MongoTestServer.java 127.0.0.1 <port>
//
// Contract with the Node side:
// - It binds exactly the given host and port (the caller passes 127.0.0.1, never
//   "localhost", which may resolve to ::1 first).
// - It declares MongoDB 5.0.0 with wire version 13: the library's own MONGO_5_0 constant
//   reports wire version 8, and MongoDB driver 7.x refuses servers below 9.
// - When it serves, it prints exactly one line to stdout:
//     MongoTestServer ready <host>:<port>
// - It exits with code 3 when the port is already in use (the caller may retry on another
//   port), 2 on bad arguments, 1 on any other start failure. Without these explicit exits a
//   failed bind would leave Netty's non-daemon threads running and the JVM alive.
// - It serves until its standard input reaches end-of-file or it receives SIGTERM/SIGINT.
//   The parent keeps stdin as a pipe, so when the parent dies (even by SIGKILL) the pipe
//   closes and the server stops with it.

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.net.BindException;
import java.util.List;

public class MongoTestServer {
    static final int EXIT_USAGE = 2;
    static final int EXIT_PORT_IN_USE = 3;

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
        if (args.length != 2) {
            System.err.println("usage: MongoTestServer <host> <port>");
            System.exit(EXIT_USAGE);
        }
        String host = args[0];
        int port = parsePort(args[1]);
        try {
            serve(host, port);
        } catch (Throwable e) {
            System.err.println("MongoTestServer: failed: " + describe(e));
            System.exit(1);
        }
        System.exit(0); // runs the shutdown hook
    }

    static void serve(String host, int port) {
        MongoServer server = new MongoServer(new MemoryBackend().version(new Mongo50()));
        bindOrExit(server, host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-test-server-shutdown"));
        System.out.println("MongoTestServer ready " + host + ":" + port);
        System.out.flush();
        awaitEndOfInput();
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
