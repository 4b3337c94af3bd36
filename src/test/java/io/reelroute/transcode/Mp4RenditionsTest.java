package io.reelroute.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaCommands.Frame;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.testing.TestVideos;

/** The MP4 renditions hop's ladder and its ffmpeg run, on real ffmpeg. */
class Mp4RenditionsTest {

    private static final MediaTools TOOLS = MediaTools.bundled();

    @TempDir
    Path dir;

    @Test
    void rungsAreThoseTheSourceCanFillLargestFirstNeverAnUpscale() {
        List<Integer> ladder = List.of(480, 1080, 720);

        assertThat(Mp4Renditions.rungs(ladder, 1920, 1080)).containsExactly(1080, 720, 480);
        assertThat(Mp4Renditions.rungs(ladder, 1280, 720)).containsExactly(720, 480);
        // A portrait phone clip: the rung is the shorter side, its width.
        assertThat(Mp4Renditions.rungs(ladder, 1080, 1920)).containsExactly(1080, 720, 480);
        assertThat(Mp4Renditions.rungs(ladder, 720, 1280)).containsExactly(720, 480);
        // Smaller than every rung: one rendition at its own size, made even.
        assertThat(Mp4Renditions.rungs(ladder, 426, 239)).containsExactly(238);
    }

    @Test
    void framesKeepTheAspectWithEvenSidesAndNeverExceedTheSource() {
        assertThat(MediaCommands.renditionFrame(1920, 1080, 720)).isEqualTo(new Frame(1280, 720));
        assertThat(MediaCommands.renditionFrame(1920, 1080, 480)).isEqualTo(new Frame(854, 480));
        assertThat(MediaCommands.renditionFrame(1080, 1920, 720)).isEqualTo(new Frame(720, 1280));
        assertThat(MediaCommands.renditionFrame(640, 360, 1080)).isEqualTo(new Frame(640, 360));
    }

    @Test
    void aRenditionIsH264AndAacWithItsIndexFirstAtTheRungsFrame() throws Exception {
        Path source = TestVideos.clip(3, 640, 360, true);
        Path output = dir.resolve("240p.mp4");
        Frame frame = MediaCommands.renditionFrame(640, 360, 240);

        ProcessRunner.Result result = ProcessRunner.run(TOOLS.ffmpeg(),
                MediaCommands.mp4Rendition(source, output, frame, 28, 96, true), Duration.ofMinutes(2), dir.resolve("log"));

        assertThat(result.succeeded()).as(result.tail()).isTrue();
        assertThat(TestVideos.videoSize(output)).containsExactly(426, 240);
        assertThat(TestVideos.codecs(output)).containsExactly("h264", "aac");
        assertThat(TestVideos.indexFirst(output)).as("faststart: the index before the media").isTrue();
        assertThat(TestVideos.durationSeconds(output)).isCloseTo(TestVideos.durationSeconds(source), within(0.2));
    }

    @Test
    void aSilentSourceMakesASilentRendition() throws Exception {
        Path source = TestVideos.clip(2, 320, 240, false);
        Path output = dir.resolve("240p.mp4");

        ProcessRunner.Result result = ProcessRunner.run(TOOLS.ffmpeg(), MediaCommands.mp4Rendition(source, output,
                MediaCommands.renditionFrame(320, 240, 240), 28, 96, false), Duration.ofMinutes(2), dir.resolve("log"));

        assertThat(result.succeeded()).as(result.tail()).isTrue();
        assertThat(TestVideos.streamTypes(output)).containsExactly("video");
    }
}
