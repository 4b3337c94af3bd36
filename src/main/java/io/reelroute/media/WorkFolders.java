package io.reelroute.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folders on local disk that sources, segments and results pass through, one per run. Each names its owner, the
 * process that made it ({@value #OWNER_FILE}: its pid and start time), so that the folders of a process that died
 * (kill -9, out of memory, a container restarted in its pod) are removed when the next one starts
 * ({@link #removeAbandoned}) instead of filling the disk.
 */
public final class WorkFolders {

    private static final Logger LOG = LoggerFactory.getLogger(WorkFolders.class);

    /** The file in each work folder that names the process it belongs to: {@code pid start-time}. */
    static final String OWNER_FILE = ".owner";
    /** A folder that names no owner (made before owners were written) is left this long since its last change. */
    static final Duration UNOWNED_GRACE = Duration.ofHours(1);

    private WorkFolders() {
    }

    /** A process: its id and when it started, which together tell it from a later one given the same id. */
    record Owner(long pid, Instant started) {

        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(self.pid(), self.info().startInstant().orElse(Instant.EPOCH));
        }

        static Optional<Owner> parse(String line) {
            String[] parts = line.strip().split(" ");
            try {
                return parts.length == 2 ? Optional.of(new Owner(Long.parseLong(parts[0]), Instant.parse(parts[1])))
                        : Optional.empty();
            } catch (RuntimeException unreadable) {
                return Optional.empty();
            }
        }

        String line() {
            return pid + " " + started;
        }

        /** Whether this process still runs: its id is taken by a process that started when it did. */
        boolean alive() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .map(handle -> handle.info().startInstant().map(started::equals).orElse(true))
                    .orElse(false);
        }
    }

    /** A new folder under {@code root}, named so that a person can tell whose it is, and owned by this process. */
    public static Path create(Path root, String name) throws IOException {
        Files.createDirectories(root);
        Path dir = Files.createTempDirectory(root, name + "-");
        Files.writeString(dir.resolve(OWNER_FILE), Owner.current().line(), StandardCharsets.UTF_8);
        return dir;
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

    /**
     * Removes the folders under {@code root} whose owner no longer runs (and those that name none and have not
     * changed for {@link #UNOWNED_GRACE}); the folders of processes still running, this one's and others sharing the
     * root, are left alone. Returns how many were removed. Run at start, before any work.
     */
    public static int removeAbandoned(Path root) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        List<Path> folders;
        try (Stream<Path> listing = Files.list(root)) {
            folders = listing.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            LOG.warn("Could not list the work folders in {}: {}", root, e.getMessage());
            return 0;
        }
        int removed = 0;
        for (Path folder : folders) {
            if (abandoned(folder)) {
                remove(folder);
                removed++;
            }
        }
        return removed;
    }

    private static boolean abandoned(Path folder) {
        Path ownerFile = folder.resolve(OWNER_FILE);
        try {
            if (Files.exists(ownerFile)) {
                return Owner.parse(Files.readString(ownerFile, StandardCharsets.UTF_8)).map(owner -> !owner.alive()).orElse(true);
            }
            return Files.getLastModifiedTime(folder).toInstant().isBefore(Instant.now().minus(UNOWNED_GRACE));
        } catch (IOException gone) {
            return false;
        }
    }
}
