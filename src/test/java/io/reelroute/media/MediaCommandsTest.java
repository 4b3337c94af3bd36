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
                .containsExactly("-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-show_chapters",
                        "-protocol_whitelist", "file", "-format_whitelist", MediaCommands.DEFAULT_DEMUXERS, "-i", "/work/a b/source.mp4");
    }

    @Test
    void splitCopiesStreamsIntoNumberedSegmentsWithoutReadingStdin() {
        List<String> args = MediaCommands.split(Path.of("/w/source.mp4"), Path.of("/w/segments"), 10);

        assertThat(args).startsWith("-nostdin", "-nostats", "-loglevel", "error", "-y");
        assertThat(String.join(" ", args)).contains("-i /w/source.mp4", "-map 0:v:0 -map 0:a:0?", "-c:v copy", "-c:a copy", "-f segment",
                "-segment_time 10", "-segment_format mp4", "-reset_timestamps 1",
                "-segment_list /w/segments/segments.csv -segment_list_type csv");
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

    @Test
    void hlsLadderWritesThreeVideoVariantsAndAnAudioRenditionPerTrackInOneRun() {
        List<String> args = MediaCommands.hlsLadder(Path.of("/w/final.mp4"), Path.of("/w/hls"), 1280, 360, 2, 6, 0);
        String line = String.join(" ", args);

        assertThat(args).startsWith("-nostdin", "-nostats", "-loglevel", "error", "-y");
        assertThat(line).contains("-i /w/final.mp4",
                "[0:v]split=3[s0][s1][s2];[s0]scale=1280:360:flags=bicubic[v0];[s1]scale=854:240:flags=bicubic[v1];"
                        + "[s2]scale=640:180:flags=bicubic[v2]",
                "-map [v0] -map [v1] -map [v2] -map 0:a:0 -map 0:a:1 -c:v",
                "-c:v libx264", "-profile:v high", "-pix_fmt yuv420p", "-force_key_frames expr:gte(t,n_forced*6) -sc_threshold 0",
                "-maxrate:v:0 1382k -bufsize:v:0 2764k", "-maxrate:v:1 615k", "-maxrate:v:2 346k",
                "-c:a aac -b:a 128k -ac 2", "-f hls -hls_time 6 -hls_playlist_type vod -hls_segment_type fmp4",
                "-hls_segment_filename /w/hls/%v/seg_%05d.m4s", "-master_pl_name master.m3u8");
        // The variants name the audio group and carry no audio; each audio track is a rendition of that group.
        assertThat(args).containsSubsequence("-var_stream_map", "v:0,agroup:audio,name:v0 v:1,agroup:audio,name:v1 "
                + "v:2,agroup:audio,name:v2 a:0,agroup:audio,name:a0,default:yes a:1,agroup:audio,name:a1");
        assertThat(args).last().isEqualTo("/w/hls/%v/index.m3u8");
    }

    @Test
    void hlsLadderOfASilentOddSizedSourceMapsNoAudioAndKeepsSizesEvenAndNoLarger() {
        List<String> args = MediaCommands.hlsLadder(Path.of("s.mp4"), Path.of("out"), 641, 241, 0, 4, 0);

        assertThat(MediaCommands.hlsRenditions(641, 241)).extracting(r -> r.width() + "x" + r.height())
                .containsExactly("638x240", "426x160", "320x120");
        assertThat(String.join(" ", args)).doesNotContain("0:a", "-c:a", "agroup").contains("n_forced*4", "-hls_time 4");
        assertThat(args).containsSubsequence("-var_stream_map", "v:0,name:v0 v:1,name:v1 v:2,name:v2");
        assertThatThrownBy(() -> MediaCommands.hlsLadder(Path.of("s.mp4"), Path.of("out"), 640, 240, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void webvttTracksWritesEachSubtitleTrackToItsOwnFileInOneRun() {
        List<String> args = MediaCommands.webvttTracks(Path.of("/w/final.mp4"), List.of(0, 2),
                List.of(Path.of("/t/s0.vtt"), Path.of("/t/s1.vtt")));

        assertThat(args).startsWith("-nostdin", "-nostats", "-loglevel", "error", "-y");
        assertThat(String.join(" ", args)).endsWith("-i /w/final.mp4 -map 0:s:0 -c:s webvtt -f webvtt /t/s0.vtt"
                + " -map 0:s:2 -c:s webvtt -f webvtt /t/s1.vtt");
        assertThatThrownBy(() -> MediaCommands.webvttTracks(Path.of("s.mp4"), List.of(0), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
