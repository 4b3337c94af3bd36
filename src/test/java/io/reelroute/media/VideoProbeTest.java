package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.FailurePhase;
import io.reelroute.testing.TestVideos;

class VideoProbeTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void readsDurationSizeAndAudioFromARealProbe() throws Exception {
        Path clip = TestVideos.clip(3, 320, 240, true);
        MediaTools tools = MediaTools.bundled();
        Process ffprobe = new ProcessBuilder(concat(tools.ffprobe(), MediaCommands.probe(clip))).start();
        String json = new String(ffprobe.getInputStream().readAllBytes());
        ffprobe.waitFor();

        VideoProbe probe = VideoProbe.parse(json, mapper);

        assertThat(probe.durationSeconds()).isBetween(2.9, 3.2);
        assertThat(probe.videoCodec()).isEqualTo("h264");
        assertThat(probe.width()).isEqualTo(320);
        assertThat(probe.height()).isEqualTo(240);
        assertThat(probe.hasAudio()).isTrue();
    }

    /** A phone clip recorded upright: stored 320x240 with a display rotation, shown 240x320. */
    @Test
    void aRotatedClipIsMeasuredAsItIsShown() throws Exception {
        Path clip = TestVideos.rotated(TestVideos.clip(2, 320, 240, true), 90);
        Process ffprobe = new ProcessBuilder(concat(MediaTools.bundled().ffprobe(), MediaCommands.probe(clip))).start();
        String json = new String(ffprobe.getInputStream().readAllBytes());
        ffprobe.waitFor();

        VideoProbe probe = VideoProbe.parse(json, mapper);

        assertThat(probe.width()).isEqualTo(240);
        assertThat(probe.height()).isEqualTo(320);
        // Older muxers write the rotate tag instead of the display matrix.
        String tagged = """
                {"streams":[{"codec_type":"video","codec_name":"h264","width":1920,"height":1080,"tags":{"rotate":"270"}}],
                 "format":{"duration":"3.0"}}""";
        assertThat(VideoProbe.parse(tagged, mapper)).extracting(VideoProbe::width, VideoProbe::height)
                .containsExactly(1080, 1920);
    }

    @Test
    void audioOnlyIsRefusedAsHavingNoVideoStream() {
        String json = """
                {"streams":[{"codec_type":"audio","codec_name":"aac"}],"format":{"duration":"3.0"}}""";

        assertThatThrownBy(() -> VideoProbe.parse(json, mapper))
                .isInstanceOfSatisfying(UnprocessableSourceException.class,
                        e -> assertThat(e.phase()).isEqualTo(FailurePhase.PROBE))
                .hasMessage("the source has no video stream (it is audio only)");
    }

    @Test
    void coverArtIsNotAVideoStream() {
        String json = """
                {"streams":[{"codec_type":"audio"},{"codec_type":"video","disposition":{"attached_pic":1}}],
                 "format":{"duration":"3.0"}}""";

        assertThatThrownBy(() -> VideoProbe.parse(json, mapper)).hasMessageContaining("no video stream");
    }

    @Test
    void aStillImageHasZeroDuration() {
        String json = """
                {"streams":[{"codec_type":"video","codec_name":"png","width":10,"height":10}],"format":{"format_name":"png_pipe"}}""";

        assertThatThrownBy(() -> VideoProbe.parse(json, mapper)).hasMessageContaining("zero duration");
    }

    @Test
    void emptyOrGarbageOutputIsNotAVideo() {
        assertThatThrownBy(() -> VideoProbe.parse("", mapper)).isInstanceOf(UnprocessableSourceException.class);
        assertThatThrownBy(() -> VideoProbe.parse("{}", mapper)).hasMessageContaining("not a decodable video");
        assertThatThrownBy(() -> VideoProbe.parse("<html>", mapper)).isInstanceOf(UnprocessableSourceException.class);
    }

    private static List<String> concat(String executable, List<String> args) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(executable), args.stream()).toList();
    }
}
