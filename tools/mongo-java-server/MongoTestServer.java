// Launcher of mongo-java-server (in-memory MongoDB-wire server) for Treatygate's
// development and CI database. Run as a single-file source program:
//
//   java -cp "<cache>/lib/*" MongoTestServer.java 127.0.0.1 <port>
//
// It declares MongoDB 5.0.0 with wire version 13: the library's own MONGO_5_0 constant
// reports wire version 8, and MongoDB driver 7.x refuses servers below 9.
// It prints one ready line, then serves until its standard input closes (the parent
// process keeps it as a pipe, so the server stops when its parent dies) or it is killed.

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;

public class MongoTestServer {
    static final class Version50Wire13 implements MongoVersion {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: MongoTestServer <host> <port>");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        MongoServer server = new MongoServer(new MemoryBackend().version(new Version50Wire13()));
        server.bind(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        System.out.println("MongoTestServer ready " + host + ":" + port);
        System.out.flush();
        // Stop with the parent: block on stdin until EOF.
        while (System.in.read() != -1) {
            // Input is ignored.
        }
        server.shutdownNow();
        System.exit(0);
    }
}
