package io.reelroute.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;

/** Settings of an application context on the embedded emulators, for tests: free ports, state under target/. */
public final class EmbeddedEmulators {

    private EmbeddedEmulators() {
    }

    /** A new folder under target/ for one context's emulator state, inbox and outbox. */
    public static Path newDataDir() {
        try {
            Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(Path.of("target"), "test-data-").toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The embedded emulators on free ports, with their state, inbox and outbox in {@code data}. */
    public static void register(DynamicPropertyRegistry registry, Path data) {
        registry.add("reelroute.embedded.data-dir", data::toString);
        registry.add("reelroute.embedded.s3-port", () -> 0);
        registry.add("reelroute.embedded.sqs-port", () -> 0);
        registry.add("reelroute.embedded.dynamodb-port", () -> 0);
        registry.add("reelroute.embedded.inbox", () -> data.resolve("inbox").toString());
        registry.add("reelroute.embedded.outbox", () -> data.resolve("outbox").toString());
    }
}
