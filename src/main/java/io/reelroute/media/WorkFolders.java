package io.reelroute.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The folders on local disk that sources, segments and results pass through, one per run. */
public final class WorkFolders {

    private static final Logger LOG = LoggerFactory.getLogger(WorkFolders.class);

    private WorkFolders() {
    }

    /** A new folder under {@code root}, named so that a person can tell whose it is. */
    public static Path create(Path root, String name) throws IOException {
        Files.createDirectories(root);
        return Files.createTempDirectory(root, name + "-");
    }

    /** Removes the folder and everything in it; a failure is logged, never thrown (it runs in finally steps). */
    public static void remove(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not remove work folder {}: {}", dir, e.getMessage());
        }
    }
}
