package io.reelroute.media;

import java.nio.file.Path;
import java.util.List;

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
}
