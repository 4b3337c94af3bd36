package io.reelroute.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.elasticmq.server.ElasticMQServer;
import org.elasticmq.server.config.ElasticMQServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.typesafe.config.ConfigFactory;

import scalikejdbc.ConnectionPool;
import scalikejdbc.ConnectionPool$;
import scalikejdbc.ConnectionPoolSettings;

/**
 * SQS: ElasticMQ on 127.0.0.1, queue URLs {@code http://127.0.0.1:{port}/000000000000/{name}}.
 *
 * <p>With a folder, queues and messages (in-flight ones too) are kept in the H2 database
 * {@code {folder}/messages.mv.db} ({@code messages-storage}; it keeps the queues as well, so the file-based
 * {@code queues-storage} stays off: ElasticMQ uses only one of the two). ElasticMQ reaches that database
 * through scalikejdbc's JVM-wide default connection pool, which it sets up on its first start in a JVM only;
 * so this class points that pool at the folder on every start and closes it on stop, and allows one persistent
 * ElasticMQ per JVM at a time. A message is in the file once SQS has accepted it, so it survives the process
 * being killed.
 */
final class ElasticMq {

    static final String NAME = "SQS (ElasticMQ)";
    private static final Logger LOG = LoggerFactory.getLogger(ElasticMq.class);
    private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(30);

    /** The folder whose message store the JVM-wide pool points at while its ElasticMQ runs; guarded by the class. */
    private static Path storeInUse;

    private ElasticMq() {
    }

    static EmbeddedAws.Emulator start(int port, String region, Path folder) {
        Map<String, Object> config = new HashMap<>();
        config.put("node-address.protocol", "http");
        config.put("node-address.host", EmbeddedAws.HOST);
        config.put("node-address.port", port);
        config.put("node-address.context-path", "");
        config.put("generate-node-address", false);
        config.put("rest-sqs.enabled", true);
        config.put("rest-sqs.bind-hostname", EmbeddedAws.HOST);
        config.put("rest-sqs.bind-port", port);
        config.put("aws.region", region);
        config.put("aws.accountId", EmbeddedAws.ACCOUNT_ID);
        config.put("queues-storage.enabled", false);
        List<String> storedQueues = List.of();
        if (folder != null) {
            // WRITE_DELAY=0: H2 writes each commit to the file before it returns. By default it writes commits
            // up to half a second later, so a process killed in that time would lose messages that SQS had
            // already accepted (a sent notification or reassembly trigger, gone for good).
            // DB_CLOSE_ON_EXIT=FALSE: H2 would close the database from its own shutdown hook at SIGTERM, while
            // graceful shutdown still lets in-flight work send and delete messages; it is closed with ElasticMQ.
            String uri = "jdbc:h2:" + folder.resolve("messages") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
            config.put("messages-storage.enabled", true);
            config.put("messages-storage.driver-class", "org.h2.Driver");
            config.put("messages-storage.uri", uri);
            config.put("messages-storage.prune-data-on-init", false);
            storedQueues = openStore(folder, uri);
        } else {
            config.put("messages-storage.enabled", false);
        }
        scala.Function0<?> shutdown;
        try {
            ElasticMQServer server = new ElasticMQServer(new ElasticMQServerConfig(
                    ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()).resolve()));
            shutdown = server.start();
        } catch (RuntimeException e) {
            closeStore(folder);
            throw new IllegalStateException(NAME + " did not start on port " + port + ": " + e.getMessage(), e);
        }
        AutoCloseable stop = () -> {
            try {
                shutdown.apply();
            } finally {
                closeStore(folder);
            }
        };
        URI endpoint = EmbeddedAws.Emulator.endpoint(port);
        try {
            awaitRestored(endpoint, storedQueues);
        } catch (RuntimeException e) {
            closeQuietly(stop);
            throw e;
        }
        return new EmbeddedAws.Emulator(NAME, endpoint, stop);
    }

    /** Points the JVM-wide pool at this folder's database and returns the names of the queues stored there. */
    private static synchronized List<String> openStore(Path folder, String uri) {
        if (storeInUse != null) {
            throw new IllegalStateException("SQS (ElasticMQ) with a data folder is already running on " + storeInUse
                    + ": ElasticMQ keeps its message store in a connection pool shared by the whole JVM, so only one "
                    + "EmbeddedAws with a data folder can run at a time. Close that one first, or start this one "
                    + "without a data folder.");
        }
        try {
            Files.createDirectories(folder);
            Class.forName("org.h2.Driver");
        } catch (IOException e) {
            throw new UncheckedIOException("can't create " + folder, e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the H2 driver ElasticMQ's message store needs is missing", e);
        }
        ConnectionPoolSettings settings = ConnectionPool.singleton$default$4();
        ConnectionPool.singleton(uri, "", "", settings, ConnectionPool.singleton$default$5(uri, "", "", settings));
        storeInUse = folder;
        return storedQueueNames(folder);
    }

    private static synchronized void closeStore(Path folder) {
        if (folder != null && folder.equals(storeInUse)) {
            ConnectionPool$.MODULE$.close(ConnectionPool.DEFAULT_NAME());
            storeInUse = null;
        }
    }

    /** ElasticMQ's table of queues ({@code queue}: name, data); absent before its first start on this folder. */
    private static List<String> storedQueueNames(Path folder) {
        List<String> names = new ArrayList<>();
        try (Connection connection = ConnectionPool$.MODULE$.borrow(ConnectionPool.DEFAULT_NAME())) {
            try (ResultSet tables = connection.getMetaData().getTables(null, null, "QUEUE", null)) {
                if (!tables.next()) {
                    return names;
                }
            }
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("select name from queue")) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        } catch (SQLException e) {
            closeStore(folder);
            throw new IllegalStateException("can't open the SQS message store in " + folder
                    + " (is another process using this data folder?): " + e.getMessage(), e);
        }
    }

    /**
     * ElasticMQ restores stored queues after {@code start()} has returned; until then they are missing from
     * {@code ListQueues}. Wait for them so that what runs next (provisioning, consumers) finds them.
     */
    private static void awaitRestored(URI endpoint, List<String> queues) {
        if (queues.isEmpty()) {
            return;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest listQueues = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "AmazonSQS.ListQueues")
                .POST(HttpRequest.BodyPublishers.ofString("{\"MaxResults\":1000}")).build();
        long started = System.nanoTime();
        long deadline = started + RESTORE_TIMEOUT.toNanos();
        List<String> missing = queues;
        while (true) {
            try {
                String body = http.send(listQueues, HttpResponse.BodyHandlers.ofString()).body();
                missing = queues.stream().filter(name -> !body.contains("/" + EmbeddedAws.ACCOUNT_ID + "/" + name + "\"")).toList();
                if (missing.isEmpty()) {
                    LOG.debug("{} restored {} queues {} ms after its start", NAME, queues.size(), EmbeddedAws.millisSince(started));
                    return;
                }
            } catch (IOException e) {
                LOG.debug("ListQueues failed while waiting for restored queues: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(NAME + " start was interrupted", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(NAME + " did not restore " + missing + " within " + RESTORE_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(NAME + " start was interrupted", e);
            }
        }
    }

    private static void closeQuietly(AutoCloseable stop) {
        try {
            stop.close();
        } catch (Exception e) {
            LOG.debug("Stopping {} after a failed start failed: {}", NAME, e.toString());
        }
    }
}
