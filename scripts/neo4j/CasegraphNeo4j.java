// A Neo4j Community server for casegraph's tests: the Neo4j DBMS (the same kernel and Bolt
// server as the packaged neo4j) in this process, Bolt on 127.0.0.1:PORT, authentication on,
// user neo4j with PASSWORD. Data and logs in HOME. Prints "casegraph-neo4j ready PORT VERSION"
// once it answers; stops cleanly on SIGTERM (the shutdown hook checkpoints and closes).
//
//   java -cp ".neo4j/classes:.neo4j/lib/*" CasegraphNeo4j HOME PORT PASSWORD [PAGECACHE]
import java.nio.file.Path;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class CasegraphNeo4j {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CasegraphNeo4j HOME PORT PASSWORD [PAGECACHE_MB]");
            System.exit(2);
        }
        Path home = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String password = args[2];
        long pagecacheMb = args.length > 3 ? Long.parseLong(args[3]) : 512;
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(GraphDatabaseSettings.auth_enabled, true)
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
            .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));
        // the initial password, as `neo4j-admin dbms set-initial-password` would set it
        dbms.database("system").executeTransactionally(
            "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        String version = dbms.database("system").executeTransactionally(
            "CALL dbms.components() YIELD versions RETURN versions[0] AS v", Map.of(),
            result -> result.next().get("v").toString());
        System.out.println("casegraph-neo4j ready " + port + " " + version);
        System.out.flush();
        Thread.currentThread().join();
    }
}
