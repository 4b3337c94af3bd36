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

    /**
     * A file with two audio tracks and a text subtitle track: three video variants, each naming an audio group of two
     * renditions and a subtitle group of one, every playlist there and readable.
     */
    @Test
    void everyAudioAndSubtitleTrackBecomesARendition() throws IOException {
        Path clip = TestVideos.multiTrackClip(4);
        // Two-second segments, so that the subtitle rendition has two and its first cue crosses their boundary.
        LocalHlsPackager shortSegments = new LocalHlsPackager(MediaTools.bundled(), Duration.ofMinutes(5), 2,
                Duration.ofSeconds(60), new ObjectMapper());

        Path master = shortSegments.packageHls(clip, out.resolve("hls"), 0);

        List<Map<String, String>> audio = media(master, "AUDIO");
        assertThat(audio).extracting(m -> m.get("LANGUAGE")).containsExactly("\"en\"", "\"fr\"");
        assertThat(audio).extracting(m -> m.get("NAME")).containsExactly("\"English\"", "\"Commentary\"");
        assertThat(audio).extracting(m -> m.get("GROUP-ID")).containsOnly("\"audio\"");
        assertThat(audio).extracting(m -> m.get("DEFAULT")).containsExactly("YES", "NO");
        assertThat(audio.get(0).get("AUTOSELECT")).isEqualTo("YES");
        List<Map<String, String>> subtitles = media(master, "SUBTITLES");
        assertThat(subtitles).hasSize(1);
        assertThat(subtitles.get(0)).containsEntry("LANGUAGE", "\"en\"").containsEntry("NAME", "\"English\"")
                .containsEntry("GROUP-ID", "\"subs\"").containsEntry("DEFAULT", "NO");

        List<Variant> variants = variants(master);
        assertThat(variants).extracting(v -> v.attributes().get("RESOLUTION")).containsExactly("320x240", "214x160", "160x120");
        for (Variant variant : variants) {
            assertThat(variant.attributes()).containsEntry("AUDIO", "\"audio\"").containsEntry("SUBTITLES", "\"subs\"");
            assertThat(variant.attributes().get("CODECS")).matches("\"avc1\\.6400[0-9a-f]{2},mp4a\\.40\\.2\"");
            assertThat(TestVideos.streamTypes(variant.playlist())).as("audio only in the renditions").containsOnly("video");
        }
        for (Map<String, String> rendition : audio) {
            Path playlist = playlist(master, rendition);
            assertThat(TestVideos.streamTypes(playlist)).containsOnly("audio");
            assertThat(TestVideos.durationSeconds(playlist)).isCloseTo(4.0, within(0.5));
        }
        // The two audio renditions are the two tracks: ffprobe reads each one's language from its segments.
        assertThat(languages(playlist(master, audio.get(0)))).contains("eng");
        assertThat(languages(playlist(master, audio.get(1)))).contains("fra");

        Path subtitlePlaylist = playlist(master, subtitles.get(0));
        List<String> segmentFiles = Files.readAllLines(subtitlePlaylist).stream().filter(l -> l.endsWith(".vtt")).toList();
        assertThat(segmentFiles).hasSize(2);
        assertThat(Files.readAllLines(subtitlePlaylist)).contains("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST");
        String first = Files.readString(subtitlePlaylist.resolveSibling(segmentFiles.get(0)));
        String second = Files.readString(subtitlePlaylist.resolveSibling(segmentFiles.get(1)));
        assertThat(first).startsWith("WEBVTT").contains(TestVideos.MULTI_TRACK_CUES.get(0))
                .doesNotContain(TestVideos.MULTI_TRACK_CUES.get(1));
        assertThat(second).startsWith("WEBVTT").contains(TestVideos.MULTI_TRACK_CUES);
        assertThat(segments(subtitlePlaylist).stream().mapToDouble(Segment::seconds).sum())
                .isCloseTo(TestVideos.durationSeconds(variants.get(0).playlist()), within(0.01));

        // A variant's BANDWIDTH covers it playing with the largest audio rendition.
        long audioPeak = 0;
        for (Map<String, String> rendition : audio) {
            for (Segment segment : segments(playlist(master, rendition))) {
                audioPeak = Math.max(audioPeak, (long) (segment.bytes() * 8 / segment.seconds()));
            }
        }
        for (Variant variant : variants) {
            long videoPeak = 0;
            for (Segment segment : segments(variant.playlist())) {
                videoPeak = Math.max(videoPeak, (long) (segment.bytes() * 8 / segment.seconds()));
            }
            assertThat(Long.parseLong(variant.attributes().get("BANDWIDTH"))).isGreaterThanOrEqualTo(videoPeak + audioPeak);
        }
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
        List<Map<String, String>> renditions = media(master, "AUDIO");
        assertThat(renditions).hasSize(audio ? 1 : 0);
        assertThat(media(master, "SUBTITLES")).isEmpty();
        for (Map<String, String> rendition : renditions) {
            assertThat(rendition).containsEntry("GROUP-ID", "\"audio\"").containsEntry("DEFAULT", "YES")
                    .containsEntry("AUTOSELECT", "YES").doesNotContainKey("LANGUAGE");
            // An untagged track is named by its place.
            assertThat(rendition.get("NAME")).isEqualTo("\"Audio 1\"");
            assertThat(TestVideos.streamTypes(playlist(master, rendition))).containsOnly("audio");
            assertThat(TestVideos.durationSeconds(playlist(master, rendition))).isCloseTo(sourceSeconds, within(1.0));
        }
        for (Variant variant : variants) {
            Map<String, String> attributes = variant.attributes();
            assertThat(attributes.get("CODECS")).matches(audio ? "\"avc1\\.6400[0-9a-f]{2},mp4a\\.40\\.2\"" : "\"avc1\\.6400[0-9a-f]{2}\"");
            if (audio) {
                assertThat(attributes).containsEntry("AUDIO", "\"audio\"");
            } else {
                assertThat(attributes).doesNotContainKey("AUDIO");
            }
            assertThat(attributes).doesNotContainKey("SUBTITLES");
            long bandwidth = Long.parseLong(attributes.get("BANDWIDTH"));
            assertThat(bandwidth).isPositive();

            // ffprobe opens the variant playlist: its frame size is the one the master playlist announces.
            assertThat(frameSize(variant.playlist())).isEqualTo(attributes.get("RESOLUTION"));
            assertThat(TestVideos.streamTypes(variant.playlist())).contains("video").doesNotContain("audio");
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

    /** The attributes of the master playlist's EXT-X-MEDIA lines of {@code type}, in order. */
    private static List<Map<String, String>> media(Path master, String type) throws IOException {
        return Files.readAllLines(master).stream().filter(line -> line.startsWith("#EXT-X-MEDIA:"))
                .map(line -> LocalHlsPackager.attributes(line.substring("#EXT-X-MEDIA:".length())))
                .filter(attributes -> type.equals(attributes.get("TYPE"))).toList();
    }

    /** The media playlist an EXT-X-MEDIA line names, which must exist. */
    private static Path playlist(Path master, Map<String, String> media) {
        Path playlist = master.resolveSibling(media.get("URI").replace("\"", ""));
        assertThat(playlist).isRegularFile();
        return playlist;
    }

    /** The language tags of the streams ffprobe reads through a playlist. */
    private static String languages(Path playlist) throws IOException {
        Process ffprobe = new ProcessBuilder(MediaTools.bundled().ffprobe(), "-v", "error", "-show_entries", "stream_tags=language",
                "-of", "default=noprint_wrappers=1:nokey=1", playlist.toString()).redirectErrorStream(true).start();
        return new String(ffprobe.getInputStream().readAllBytes());
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
