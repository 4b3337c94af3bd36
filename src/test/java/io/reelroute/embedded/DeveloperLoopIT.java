package io.reelroute.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.testing.EmbeddedDefaultTest;

/**
 * The integration engineer's loop on the embedded default: a route file added or changed in the routes folder is
 * loaded while the application runs, the other routes keep running, and the Camel developer console answers.
 * The routes are a copy, so the test changes nothing in the project's own folder.
 */
@EmbeddedDefaultTest
// The routes folder is read before any initializer runs (by the run mode and the route watcher), so it is a
// fixed path here, filled before the context starts.
@TestPropertySource(properties = "reelroute.routes.dir=" + DeveloperLoopIT.ROUTES_DIR)
class DeveloperLoopIT {

    static final String ROUTES_DIR = "target/developer-loop-routes";
    static final Path ROUTES = copyOfRoutes();

    @LocalManagementPort
    int managementPort;
    @Autowired
    CamelContext camel;

    @Test
    void aRouteFileWrittenWhileTheApplicationRunsIsLoadedAndTheOthersKeepRunning() throws Exception {
        assertThat(camel.getRoute("hello-reload")).isNull();

        Files.writeString(ROUTES.resolve("hello.camel.yaml"), """
                - route:
                    id: hello-reload
                    from:
                      uri: direct:hello-reload
                      steps:
                        - setBody:
                            constant: first
                """);
        await().atMost(Duration.ofSeconds(30)).until(() -> camel.getRoute("hello-reload") != null);
        assertThat(camel.createProducerTemplate().requestBody("direct:hello-reload", "", String.class)).isEqualTo("first");

        Files.writeString(ROUTES.resolve("hello.camel.yaml"), Files.readString(ROUTES.resolve("hello.camel.yaml"))
                .replace("constant: first", "constant: second"));
        await().atMost(Duration.ofSeconds(30)).until(
                () -> "second".equals(camel.createProducerTemplate().requestBody("direct:hello-reload", "", String.class)));
        assertThat(camel.getRoute("upload-event")).as("the other files' routes are not reloaded away").isNotNull();
        assertThat(camel.getRouteController().getRouteStatus("upload-event").isStarted()).isTrue();
    }

    @Test
    void theDeveloperConsoleListsTheRoutes() throws Exception {
        HttpResponse<String> routes = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/camel/route-controller")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(routes.statusCode()).isEqualTo(200);
        assertThat(routes.body()).contains("upload-event").contains("pipeline-renditions");
    }

    private static Path copyOfRoutes() {
        try {
            Path target = Path.of(ROUTES_DIR);
            if (Files.exists(target)) {
                try (Stream<Path> old = Files.walk(target)) {
                    old.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
                }
            }
            try (Stream<Path> files = Files.walk(Path.of("routes"))) {
                for (Path file : files.toList()) {
                    Path copy = target.resolve(Path.of("routes").relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.copy(file, copy);
                    }
                }
            }
            return target.toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
