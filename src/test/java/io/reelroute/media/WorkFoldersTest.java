package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Work folders left by a process that died are removed at the next start; those of running processes stay. */
class WorkFoldersTest {

    @Test
    void theFoldersOfDeadProcessesAreRemovedAndThoseOfRunningOnesKept(@TempDir Path root) throws Exception {
        Path mine = WorkFolders.create(root, "chunk-mine");
        Files.writeString(mine.resolve("source.mp4"), "in progress");

        Process finished = new ProcessBuilder("sleep", "30").start();
        WorkFolders.Owner dead = owner(finished.toHandle());
        finished.destroyForcibly();
        assertThat(finished.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Path deadOwners = folder(root, "chunk-dead", dead.line());

        Process running = new ProcessBuilder("sleep", "30").start();
        try {
            Path livingOwners = folder(root, "inference-other-process", owner(running.toHandle()).line());
            // This process's id with another start time: the process that had it before (PID 1 of a restarted container).
            Path before = folder(root, "reassembly-before-restart",
                    new WorkFolders.Owner(ProcessHandle.current().pid(), Instant.parse("2020-01-01T00:00:00Z")).line());
            Path garbled = folder(root, "hls-garbled", "not an owner");
            Path unownedRecent = Files.createDirectory(root.resolve("poster-unowned-recent"));
            Path unownedOld = Files.createDirectory(root.resolve("poster-unowned-old"));
            Files.setLastModifiedTime(unownedOld, FileTime.from(Instant.now().minus(WorkFolders.UNOWNED_GRACE.multipliedBy(2))));
            Path file = Files.writeString(root.resolve("not-a-folder.txt"), "x");

            assertThat(WorkFolders.removeAbandoned(root)).isEqualTo(4);

            assertThat(mine.resolve("source.mp4")).exists();
            assertThat(livingOwners).exists();
            assertThat(unownedRecent).exists();
            assertThat(file).exists();
            assertThat(deadOwners).doesNotExist();
            assertThat(before).doesNotExist();
            assertThat(garbled).doesNotExist();
            assertThat(unownedOld).doesNotExist();
        } finally {
            running.destroyForcibly();
        }
    }

    @Test
    void aRootThatDoesNotExistYetHasNothingToRemove(@TempDir Path dir) {
        assertThat(WorkFolders.removeAbandoned(dir.resolve("work"))).isZero();
    }

    private static WorkFolders.Owner owner(ProcessHandle process) {
        return new WorkFolders.Owner(process.pid(), process.info().startInstant().orElseThrow());
    }

    private static Path folder(Path root, String name, String owner) throws IOException {
        Path dir = Files.createDirectory(root.resolve(name));
        Files.writeString(dir.resolve(WorkFolders.OWNER_FILE), owner);
        Files.writeString(dir.resolve("00000.mp4"), "segment");
        return dir;
    }
}
