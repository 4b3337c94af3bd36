package io.reelroute.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.reelroute.ReelRouteApplication;

/** A fresh application on fresh emulators in this JVM, free ports, its state under target/, for a benchmark. */
final class BenchApplication {

    private BenchApplication() {
    }

    /** {@code settings} as {@code --name=value} arguments: default properties would lose to application.properties. */
    static ConfigurableApplicationContext start(String... settings) throws IOException {
        Path data = Files.createTempDirectory(Path.of("target"), "bench-data-").toAbsolutePath();
        List<String> args = new ArrayList<>(List.of(
                "--reelroute.mode=embedded",
                "--reelroute.embedded.data-dir=" + data,
                "--reelroute.embedded.s3-port=0",
                "--reelroute.embedded.sqs-port=0",
                "--reelroute.embedded.dynamodb-port=0",
                "--reelroute.embedded.inbox=" + data.resolve("inbox"),
                "--reelroute.embedded.outbox=" + data.resolve("outbox"),
                "--server.port=0",
                "--management.server.port=0"));
        args.addAll(List.of(settings));
        return new SpringApplicationBuilder(ReelRouteApplication.class).run(args.toArray(String[]::new));
    }
}
