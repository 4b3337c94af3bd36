package io.reelroute.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebVttSegmentsTest {

    @TempDir
    Path dir;

    @Test
    void eachSegmentHoldsTheCuesShownDuringItsSpan() throws IOException {
        Path whole = Files.writeString(dir.resolve("whole.vtt"), """
                WEBVTT

                00:00.500 --> 00:01.800
                First

                00:05.000 --> 00:07.000 align:start
                Across the boundary
                on two lines

                01:00:00.000 --> 01:00:01.000
                After the end
                """);

        Path playlist = WebVttSegments.write(whole, dir.resolve("s0"), List.of(6.0, 6.0, 2.04));

        assertThat(Files.readAllLines(playlist)).containsExactly("#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:6",
                "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXTINF:6.000000,", "seg_00000.vtt",
                "#EXTINF:6.000000,", "seg_00001.vtt", "#EXTINF:2.040000,", "seg_00002.vtt", "#EXT-X-ENDLIST");
        assertThat(Files.readString(dir.resolve("s0/seg_00000.vtt"))).isEqualTo("""
                WEBVTT

                00:00.500 --> 00:01.800
                First

                00:05.000 --> 00:07.000 align:start
                Across the boundary
                on two lines
                """);
        assertThat(Files.readString(dir.resolve("s0/seg_00001.vtt"))).isEqualTo("""
                WEBVTT

                00:05.000 --> 00:07.000 align:start
                Across the boundary
                on two lines
                """);
        // The last segment takes whatever lies after its start.
        assertThat(Files.readString(dir.resolve("s0/seg_00002.vtt"))).isEqualTo("WEBVTT\n\n01:00:00.000 --> 01:00:01.000\nAfter the end\n");
    }
}
