package io.reelroute.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;

/**
 * DynamoDB: DynamoDB Local with one shared database ({@code -sharedDb}), so any credentials and region see the
 * same tables: in memory, or in {@code {folder}/shared-local-instance.db}.
 */
final class DynamoDbLocal {

    static final String NAME = "DynamoDB (DynamoDB Local)";
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbLocal.class);

    private DynamoDbLocal() {
    }

    static EmbeddedAws.Emulator start(int port, Path folder) {
        List<String> args = new ArrayList<>(List.of("-port", Integer.toString(port), "-sharedDb", "-disableTelemetry"));
        if (folder == null) {
            args.add("-inMemory");
        } else {
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw new UncheckedIOException("can't create " + folder, e);
            }
            args.addAll(List.of("-dbPath", folder.toString()));
        }
        try {
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(args.toArray(String[]::new));
            listenOnLoopbackOnly(server);
            server.start();
            return new EmbeddedAws.Emulator(NAME, EmbeddedAws.Emulator.endpoint(port), server::stop);
        } catch (Exception e) {
            throw new IllegalStateException(NAME + " did not start on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** DynamoDB Local has no option for the address; its Jetty server would listen on every interface. */
    private static void listenOnLoopbackOnly(DynamoDBProxyServer proxy) {
        try {
            Field field = DynamoDBProxyServer.class.getDeclaredField("server");
            field.setAccessible(true);
            for (Connector connector : ((Server) field.get(proxy)).getConnectors()) {
                if (connector instanceof ServerConnector serverConnector) {
                    serverConnector.setHost(EmbeddedAws.HOST);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("{} listens on every network interface (can't restrict it to {}: {})", NAME, EmbeddedAws.HOST, e.toString());
        }
    }
}
