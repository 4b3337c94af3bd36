package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.contract.JobStatus;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.EmbeddedEmulators;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;

/**
 * Deletion that really deletes: a job deleted while its model runs leaves no object anywhere (the output the model
 * was writing is removed once it is written), and its other segments never reach the model.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.chunking.segment-seconds=2",
    "reelroute.inference.concurrent-consumers=1",
})
class JobDeletionIT extends RouteTestSupport {

    static final Path MARKERS = EmbeddedEmulators.newDataDir().resolve("markers");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("reelroute.inference.exec.command", () -> "/bin/sh " + script() + " {input} {output} " + MARKERS + " {ffmpeg}");
    }

    /** A model that notes each run and holds it until it is released, then makes a full side-by-side frame. */
    static Path script() {
        try {
            Files.createDirectories(MARKERS);
            Path script = MARKERS.resolveSibling("held-model.sh");
            Files.writeString(script, """
                    in="$1"; out="$2"; markers="$3"; ffmpeg="$4"
                    : > "$markers/run-$(basename "$(dirname "$in")")"
                    i=0; while [ ! -e "$markers/release" ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i+1)); done
                    "$ffmpeg" -nostdin -loglevel error -y -i "$in" \\
                      -filter_complex "[0:v]split[l][r];[r]crop=iw-8:ih:8:0,pad=iw+8:ih[rs];[l][rs]hstack[v]" \\
                      -map "[v]" -map "0:a?" -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a copy "$out"
                    """);
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aJobDeletedWhileItsModelRunsLeavesNoObjectAndNoFurtherModelRuns() throws Exception {
        String jobId = startJob("stereo", "{}", TestVideos.clip(6, 320, 240, true));
        await().atMost(PATIENCE).until(() -> runs().size() == 1);
        awaitStatus(jobId, JobStatus.CHUNKING_COMPLETE);

        HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/jobs/" + jobId)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        await().atMost(PATIENCE).until(() -> objectsOf(jobId).isEmpty());
        double ended = count("reelroute.messages.dropped", "hop", "inference", "reason", "job-ended");
        Files.createFile(MARKERS.resolve("release"));

        // The held segment's output is removed once written; the other two segments are dropped before the model.
        await().atMost(PATIENCE).until(() -> count("reelroute.messages.dropped", "hop", "inference", "reason", "job-ended") >= ended + 3);
        assertThat(runs()).as("model runs").hasSize(1);
        assertThat(objectsOf(jobId)).isEmpty();
        assertNothingLeft();
    }

    private static List<Path> runs() throws IOException {
        try (var files = Files.list(MARKERS)) {
            return files.filter(f -> f.getFileName().toString().startsWith("run-")).toList();
        }
    }
}
