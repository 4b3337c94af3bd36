package io.reelroute.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.media.MediaSteps;
import io.reelroute.media.VideoProbe;

class ChunkWorkTest {

    static final VideoProbe EIGHT_SECONDS = new VideoProbe(8.0, "h264", 160, 120, true, "yuv420p");

    final ChunkWork work = new ChunkWork(null, null, Path.of("target/test-work-chunk"));

    @Test
    void segmentsGetTheirCanonicalKeysInOrder() {
        String jobId = JobIds.newId();
        MediaSteps.Segments split = new MediaSteps.Segments(List.of(Path.of("/w/00000.mp4"), Path.of("/w/00001.mp4")),
                OptionalDouble.of(8.0));

        List<ChunkWork.SegmentUpload> uploads = work.segments(jobId, Mode.ANAGLYPH, split, EIGHT_SECONDS);

        assertThat(uploads).extracting(ChunkWork.SegmentUpload::key).containsExactly(
                "segments/" + jobId + "/00000_00002_anaglyph.mp4", "segments/" + jobId + "/00001_00002_anaglyph.mp4");
        assertThat(uploads.get(1).file()).isEqualTo(Path.of("/w/00001.mp4").toFile());
    }

    @Test
    void aSplitThatWroteNothingFailsInPhaseChunking() {
        assertThatThrownBy(() -> work.segments(JobIds.newId(), Mode.SBS,
                new MediaSteps.Segments(List.of(), OptionalDouble.empty()), EIGHT_SECONDS))
                .isInstanceOfSatisfying(PermanentJobFailure.class, e -> {
                    assertThat(e.phase()).isEqualTo(FailurePhase.CHUNKING);
                    assertThat(e.getMessage()).isEqualTo("ffmpeg wrote no segments for the source");
                });
    }

    @Test
    void mediaThatEndsWellBeforeTheDeclaredDurationIsATruncatedSource() {
        assertThatThrownBy(() -> ChunkWork.requireWholeSource(split(4.0), EIGHT_SECONDS))
                .isInstanceOfSatisfying(PermanentJobFailure.class, e -> {
                    assertThat(e.phase()).isEqualTo(FailurePhase.CHUNKING);
                    assertThat(e.getMessage()).isEqualTo(
                            "the source is truncated or damaged: its picture ends at 4.0 s of the 8.0 s it declares;"
                                    + " upload the whole file again, or export it again if it is damaged");
                });
    }

    @Test
    void containerRoundingAtTheEndIsNotTruncation() {
        assertThatCode(() -> ChunkWork.requireWholeSource(split(7.2), EIGHT_SECONDS)).doesNotThrowAnyException();
        assertThatCode(() -> ChunkWork.requireWholeSource(new MediaSteps.Segments(List.of(Path.of("a.mp4")),
                OptionalDouble.empty()), EIGHT_SECONDS)).doesNotThrowAnyException();
    }

    private static MediaSteps.Segments split(double end) {
        return new MediaSteps.Segments(List.of(Path.of("00000.mp4")), OptionalDouble.of(end));
    }
}
