package io.reelroute.media;

import java.nio.file.Path;
import java.util.List;

import io.reelroute.contract.Mode;

/**
 * Argument lists for the ffmpeg and ffprobe runs, built here so that no shell ever parses them.
 * Output stays quiet ({@code -nostats -loglevel error}) because camel-exec buffers it in memory,
 * and ffmpeg never reads standard input ({@code -nostdin}), where a stray 'q' would stop it.
 */
public final class MediaCommands {

    private MediaCommands() {
    }

    /** ffprobe: format and streams as JSON on stdout. */
    public static List<String> probe(Path source) {
        return List.of("-v", "error", "-print_format", "json", "-show_format", "-show_streams", source.toString());
    }

    /**
     * ffmpeg: split by stream copy into segments of about {@code segmentSeconds}, cut at the keyframe at or after
     * each boundary, named {@code 00000.mp4, 00001.mp4, ...} in {@code outDir}. The first video stream and the
     * first audio stream (if any) are kept; timestamps restart at zero in each segment.
     */
    public static List<String> split(Path source, Path outDir, int segmentSeconds) {
        if (segmentSeconds < 1) {
            throw new IllegalArgumentException("segment duration must be at least 1 second, was " + segmentSeconds);
        }
        return List.of("-nostdin", "-nostats", "-loglevel", "error", "-y",
                "-i", source.toString(),
                "-map", "0:v:0", "-map", "0:a:0?",
                "-c", "copy",
                "-f", "segment",
                "-segment_time", Integer.toString(segmentSeconds),
                "-segment_format", "mp4",
                "-reset_timestamps", "1",
                outDir.resolve("%05d.mp4").toString());
    }

    /**
     * ffmpeg: the CPU stereo preview of one segment, not a depth model. {@code sbs} puts the frame beside a
     * copy shifted by 8 pixels (a constant parallax, so the picture sits just behind the screen)
     * at twice the source width; {@code anaglyph} turns that pair into red/cyan (Dubois) at the source width.
     * H.264 {@code yuv420p} with the source's audio copied, so browsers and HLS packagers take it.
     */
    public static List<String> stereoPreview(Path input, Path output, Mode mode) {
        // Right eye: the frame moved 8 pixels left (pad on the right, then crop from the left), same size.
        String pair = "[0:v]split=2[l][r];[r]pad=iw+8:ih:0:0,crop=iw-8:ih:8:0[rs];[l][rs]hstack=inputs=2";
        String filter = mode == Mode.ANAGLYPH ? pair + ",stereo3d=sbsl:arcd[v]" : pair + "[v]";
        return List.of("-nostdin", "-nostats", "-loglevel", "error", "-y",
                "-i", input.toString(),
                "-filter_complex", filter,
                "-map", "[v]", "-map", "0:a:0?",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                "-c:a", "copy",
                "-movflags", "+faststart",
                output.toString());
    }

    /** ffmpeg: joins the segments a concat list names, by stream copy, into one MP4. */
    public static List<String> concat(Path list, Path output) {
        return List.of("-nostdin", "-nostats", "-loglevel", "error", "-y",
                "-f", "concat", "-safe", "0", "-i", list.toString(),
                "-map", "0", "-c", "copy", "-movflags", "+faststart",
                output.toString());
    }
}
