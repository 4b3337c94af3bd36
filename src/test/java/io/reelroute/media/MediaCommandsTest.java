package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class MediaCommandsTest {

    @Test
    void probeAsksForFormatAndStreamsAsJson() {
        assertThat(MediaCommands.probe(Path.of("/work/a b/source.mp4")))
                .containsExactly("-v", "error", "-print_format", "json", "-show_format", "-show_streams", "/work/a b/source.mp4");
    }

    @Test
    void splitCopiesStreamsIntoNumberedSegmentsWithoutReadingStdin() {
        List<String> args = MediaCommands.split(Path.of("/w/source.mp4"), Path.of("/w/segments"), 10);

        assertThat(args).startsWith("-nostdin", "-nostats", "-loglevel", "error", "-y");
        assertThat(String.join(" ", args)).contains("-i /w/source.mp4", "-map 0:v:0 -map 0:a:0?", "-c copy", "-f segment",
                "-segment_time 10", "-segment_format mp4", "-reset_timestamps 1");
        assertThat(args).last().isEqualTo("/w/segments/%05d.mp4");
    }

    @Test
    void pathsWithSpacesStayOneArgument() {
        List<String> args = MediaCommands.split(Path.of("/tmp/my videos/source.mp4"), Path.of("/tmp/out dir"), 5);

        assertThat(args).contains("/tmp/my videos/source.mp4", "/tmp/out dir/%05d.mp4");
    }

    @Test
    void aSegmentDurationBelowOneSecondIsRefused() {
        assertThatThrownBy(() -> MediaCommands.split(Path.of("s.mp4"), Path.of("out"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 second");
    }
}
