package io.reelroute.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaCommands.Frame;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.SegmentPlan;
import io.reelroute.media.VideoProbe;
import io.reelroute.testing.SourceCorpus;
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

    /**
     * A broadcast capture (interlaced MPEG-2, anamorphic 352x288 shown 384x288) and an HDR10 clip: the rendition is
     * progressive, of square pixels at the shown aspect, and SDR, as the stereo split's mezzanine makes them.
     */
    @ParameterizedTest
    @CsvSource({"broadcast-mpeg2-interlaced.ts, 320, 240", "hdr10-hevc.mp4, 320, 240"})
    void interlacedAnamorphicAndHdrSourcesGetTheMezzaninesCorrections(String name, int width, int height) throws Exception {
        Path source = SourceCorpus.file(SourceCorpus.all().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow());
        VideoProbe probe = new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()).probe(source);
        Path output = dir.resolve("240p.mp4");

        ProcessRunner.Result result = ProcessRunner.run(TOOLS.ffmpeg(), MediaCommands.mp4Rendition(source, output,
                MediaCommands.renditionFrame(probe.width(), probe.height(), 240), 28, 96, true,
                SegmentPlan.of(probe).videoFilters()), Duration.ofMinutes(2), dir.resolve("log"));

        assertThat(result.succeeded()).as(result.tail()).isTrue();
        VideoProbe rendition = new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()).probe(output);
        assertThat(rendition.width()).isEqualTo(width);
        assertThat(rendition.height()).isEqualTo(height);
        assertThat(rendition.anamorphic()).isFalse();
        assertThat(rendition.interlaced()).isFalse();
        assertThat(rendition.hdr()).isFalse();
    }

    /** Sources as people upload them: a browser recording, an editor's export, a portrait phone clip. */
    @ParameterizedTest
    @CsvSource({
        "webm, -c:v libvpx -b:v 500k -c:a libopus, 640, 360, 240, 426, 240",
        "mov, -c:v prores_ks -profile:v 0 -c:a pcm_s16le, 640, 360, 240, 426, 240",
        "mp4, -c:v libx264 -c:a aac, 360, 640, 240, 240, 426",
    })
    void sourcesOfOtherShapesBecomeH264AndAacRenditions(String container, String codecs, int width, int height, int rung,
            int expectedWidth, int expectedHeight) throws Exception {
        Path source = dir.resolve("source." + container);
        List<String> make = new java.util.ArrayList<>(List.of("-nostdin", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25:duration=2",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=2"));
        make.addAll(List.of(codecs.split(" ")));
        make.add(source.toString());
        assertThat(ProcessRunner.run(TOOLS.ffmpeg(), make, Duration.ofMinutes(2), dir.resolve("make.log")).succeeded()).isTrue();
        Path output = dir.resolve(rung + "p.mp4");

        ProcessRunner.Result result = ProcessRunner.run(TOOLS.ffmpeg(), MediaCommands.mp4Rendition(source, output,
                MediaCommands.renditionFrame(width, height, rung), 28, 96, true), Duration.ofMinutes(2), dir.resolve("log"));

        assertThat(result.succeeded()).as(result.tail()).isTrue();
        assertThat(TestVideos.videoSize(output)).containsExactly(expectedWidth, expectedHeight);
        assertThat(TestVideos.codecs(output)).containsExactly("h264", "aac");
        assertThat(TestVideos.indexFirst(output)).isTrue();
        assertThat(TestVideos.durationSeconds(output)).isCloseTo(2.0, within(0.2));
    }

    /** A phone clip stored landscape with a display rotation: its renditions are upright, rung on the short side. */
    @Test
    void aPhoneClipRecordedUprightMakesUprightRenditions() throws Exception {
        Path source = TestVideos.rotated(TestVideos.clip(2, 640, 360, true), 90);
        VideoProbe probe = new FileProbe(TOOLS, Duration.ofSeconds(30), new com.fasterxml.jackson.databind.ObjectMapper()).probe(source);
        Path output = dir.resolve("240p.mp4");

        ProcessRunner.Result result = ProcessRunner.run(TOOLS.ffmpeg(), MediaCommands.mp4Rendition(source, output,
                MediaCommands.renditionFrame(probe.width(), probe.height(), 240), 28, 96, true), Duration.ofMinutes(2),
                dir.resolve("log"));

        assertThat(result.succeeded()).as(result.tail()).isTrue();
        assertThat(TestVideos.videoSize(output)).containsExactly(240, 426);
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
