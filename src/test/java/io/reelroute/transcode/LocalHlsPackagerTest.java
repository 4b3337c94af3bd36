package io.reelroute.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.media.MediaTools;
import io.reelroute.testing.TestVideos;

/** Real ffmpeg on short generated clips: the package a player gets, read back with ffprobe. */
class LocalHlsPackagerTest {

    private static final int SEGMENT_SECONDS = 6;

    private final LocalHlsPackager packager = new LocalHlsPackager(MediaTools.bundled(), Duration.ofMinutes(5),
            SEGMENT_SECONDS, Duration.ofSeconds(60), new ObjectMapper());

    @TempDir
    Path out;

    @Test
    void sideBySideSourceGetsThreeVariantsTwiceAsWideAsTall() throws IOException {
        Path clip = TestVideos.clip(8, 640, 240, true);

        Path master = packager.packageHls(clip, out.resolve("hls"), 0);

        assertPackage(master, clip, List.of("640x240", "426x160", "320x120"), true);
    }

    /** Every rendition of a stereo job keeps its frame-packing signalling through the re-encode. */
    @Test
    void aStereoFramesSignallingReachesEveryRendition() throws IOException {
        Path clip = TestVideos.clip(4, 640, 480, false);

        Path master = packager.packageHls(clip, out.resolve("hls"), 4);

        for (String variant : List.of("v0", "v1", "v2")) {
            Path playlist = master.resolveSibling(variant).resolve("index.m3u8");
            assertThat(TestVideos.stereoMode(playlist)).as(variant).isEqualTo("top_bottom");
        }
    }

    @Test
    void flatSourceKeepsFourByThree() throws IOException {
        Path clip = TestVideos.clip(8, 320, 240, true);

        Path master = packager.packageHls(clip, out.resolve("hls"), 0);

        assertPackage(master, clip, List.of("320x240", "214x160", "160x120"), true);
    }

    @Test
    void silentSourceGetsVideoOnlyVariants() throws IOException {
        Path clip = TestVideos.clip(8, 320, 240, false);

        Path master = packager.packageHls(clip, out.resolve("hls"), 0);

        assertPackage(master, clip, List.of("320x240", "214x160", "160x120"), false);
    }

    @Test
    void aRepeatRunWritesTheSamePackage() throws IOException {
        Path clip = TestVideos.clip(8, 320, 240, false);
        Path first = packager.packageHls(clip, out.resolve("hls"), 0);
        List<String> before = Files.readAllLines(first);

        Path second = packager.packageHls(clip, out.resolve("hls"), 0);

        assertThat(second).isEqualTo(first);
        assertThat(variants(second)).extracting(Variant::uri).containsExactly("v0/index.m3u8", "v1/index.m3u8", "v2/index.m3u8");
        assertThat(Files.readAllLines(second)).hasSameSizeAs(before);
    }

    @Test
    void aFileThatIsNoVideoFailsWithFfprobesReason() throws IOException {
        Path text = Files.writeString(out.resolve("final.mp4"), "this is not a video\n");

        assertThatThrownBy(() -> packager.packageHls(text, out.resolve("hls"), 0))
                .isInstanceOf(HlsPackagingFailed.class)
                .hasMessageContaining("final.mp4")
                .hasMessageContaining("Invalid data");
        assertThat(out.resolve("hls").resolve(LocalHlsPackager.MASTER_PLAYLIST)).doesNotExist();
    }

    @Test
    void aTimeoutStopsFfmpegAndSaysSo() throws IOException {
        Path clip = TestVideos.clip(8, 640, 240, true);
        LocalHlsPackager hurried = new LocalHlsPackager(MediaTools.bundled(), Duration.ofMillis(200), SEGMENT_SECONDS,
                Duration.ofSeconds(60), new ObjectMapper());

        assertThatThrownBy(() -> hurried.packageHls(clip, out.resolve("hls"), 0))
                .isInstanceOf(HlsPackagingFailed.class)
                .hasMessageContaining("timeout");
    }

    private static void assertPackage(Path master, Path clip, List<String> sizes, boolean audio) throws IOException {
        assertThat(master).isRegularFile().hasFileName("master.m3u8");
        List<Variant> variants = variants(master);
        assertThat(variants).extracting(v -> v.attributes().get("RESOLUTION")).containsExactlyElementsOf(sizes);
        double sourceSeconds = TestVideos.durationSeconds(clip);
        for (Variant variant : variants) {
            Map<String, String> attributes = variant.attributes();
            assertThat(attributes.get("CODECS")).matches(audio ? "\"avc1\\.6400[0-9a-f]{2},mp4a\\.40\\.2\"" : "\"avc1\\.6400[0-9a-f]{2}\"");
            long bandwidth = Long.parseLong(attributes.get("BANDWIDTH"));
            assertThat(bandwidth).isPositive();

            // ffprobe opens the variant playlist: its frame size is the one the master playlist announces.
            assertThat(frameSize(variant.playlist())).isEqualTo(attributes.get("RESOLUTION"));
            if (audio) {
                assertThat(TestVideos.streamTypes(variant.playlist())).contains("video", "audio");
            } else {
                assertThat(TestVideos.streamTypes(variant.playlist())).contains("video").doesNotContain("audio");
            }
            assertThat(TestVideos.durationSeconds(variant.playlist())).isCloseTo(sourceSeconds, within(1.0));

            // Keyframes at every segment boundary: each segment but the last lasts the target duration, and no
            // segment's bit rate exceeds the BANDWIDTH a player chooses by.
            List<Segment> segments = segments(variant.playlist());
            assertThat(segments).hasSize((int) Math.ceil(sourceSeconds / SEGMENT_SECONDS));
            for (Segment segment : segments.subList(0, segments.size() - 1)) {
                assertThat(segment.seconds()).isCloseTo(SEGMENT_SECONDS, within(0.05));
            }
            assertThat(segments.stream().mapToDouble(Segment::seconds).sum()).isCloseTo(sourceSeconds, within(1.0));
            for (Segment segment : segments) {
                assertThat(segment.bytes() * 8 / segment.seconds()).isLessThanOrEqualTo(bandwidth);
            }
        }
    }

    /**
     * Width x height of the first video stream, as ffprobe reads it through the playlist. (An HLS input lists its
     * streams twice, once under its program, hence JSON rather than TestVideos' one-line reading.)
     */
    private static String frameSize(Path playlist) throws IOException {
        Process ffprobe = new ProcessBuilder(MediaTools.bundled().ffprobe(), "-v", "error", "-select_streams", "v:0",
                "-show_entries", "stream=width,height", "-of", "json", playlist.toString()).redirectErrorStream(true).start();
        JsonNode stream = new ObjectMapper().readTree(ffprobe.getInputStream()).path("streams").path(0);
        return stream.path("width").asInt() + "x" + stream.path("height").asInt();
    }

    private record Variant(String uri, Path playlist, Map<String, String> attributes) {
    }

    private record Segment(double seconds, long bytes) {
    }

    private static List<Variant> variants(Path master) throws IOException {
        List<String> lines = Files.readAllLines(master);
        assertThat(lines).first().isEqualTo("#EXTM3U");
        List<Variant> variants = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("#EXT-X-STREAM-INF:")) {
                String uri = lines.get(i + 1);
                variants.add(new Variant(uri, master.resolveSibling(uri),
                        LocalHlsPackager.attributes(lines.get(i).substring("#EXT-X-STREAM-INF:".length()))));
            }
        }
        assertThat(variants).hasSize(3);
        return variants;
    }

    private static List<Segment> segments(Path playlist) throws IOException {
        List<String> lines = Files.readAllLines(playlist);
        assertThat(lines).contains("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST");
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("#EXTINF:")) {
                double seconds = Double.parseDouble(lines.get(i).substring("#EXTINF:".length()).split(",")[0]);
                segments.add(new Segment(seconds, Files.size(playlist.resolveSibling(lines.get(i + 1)))));
            }
        }
        return segments;
    }
}
