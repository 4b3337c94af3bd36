package io.reelroute.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.reelroute.media.MediaTools;

/** Short test videos generated with the bundled ffmpeg (lavfi testsrc2 and sine), and ffprobe readings. */
public final class TestVideos {

    private static final MediaTools TOOLS = MediaTools.bundled();
    private static final Path CACHE = Path.of("target", "test-videos");

    private TestVideos() {
    }

    /**
     * An H.264/AAC MP4 of {@code seconds} at 25 fps with a keyframe every second, generated once per build
     * and reused.
     */
    public static synchronized Path clip(int seconds, int width, int height, boolean audio) {
        Path file = CACHE.resolve("clip-" + seconds + "s-" + width + "x" + height + (audio ? "-audio" : "") + ".mp4");
        if (Files.exists(file)) {
            return file;
        }
        List<String> args = new ArrayList<>(List.of("-nostdin", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25:duration=" + seconds));
        if (audio) {
            args.addAll(List.of("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + seconds));
        }
        args.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-g", "25", "-keyint_min", "25", "-sc_threshold", "0"));
        if (audio) {
            args.addAll(List.of("-c:a", "aac", "-b:a", "64k", "-shortest"));
        }
        try {
            Files.createDirectories(CACHE);
            Path partial = Files.createTempFile(CACHE, "clip-", ".mp4");
            args.add(partial.toString());
            run(TOOLS.ffmpeg(), args);
            Files.move(partial, file);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An AAC file with no video stream. */
    public static synchronized Path audioOnly(int seconds) {
        Path file = CACHE.resolve("audio-" + seconds + "s.m4a");
        if (!Files.exists(file)) {
            try {
                Files.createDirectories(CACHE);
                Path partial = Files.createTempFile(CACHE, "audio-", ".m4a");
                run(TOOLS.ffmpeg(), List.of("-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
                        "-i", "sine=frequency=440:duration=" + seconds, "-c:a", "aac", partial.toString()));
                Files.move(partial, file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return file;
    }

    /**
     * An H.264 MP4 (no audio) of {@code seconds} at 25 fps whose only keyframe is the first frame, so that a
     * stream-copy split can cut it nowhere.
     */
    public static synchronized Path clipWithOneKeyframe(int seconds, int width, int height) {
        Path file = CACHE.resolve("one-keyframe-" + seconds + "s-" + width + "x" + height + ".mp4");
        if (!Files.exists(file)) {
            try {
                Files.createDirectories(CACHE);
                Path partial = Files.createTempFile(CACHE, "one-keyframe-", ".mp4");
                run(TOOLS.ffmpeg(), List.of("-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
                        "-i", "testsrc2=size=" + width + "x" + height + ":rate=25:duration=" + seconds,
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        "-g", "100000", "-keyint_min", "100000", "-sc_threshold", "0", partial.toString()));
                Files.move(partial, file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return file;
    }

    /** The same streams with the index (moov) moved to the front, as a web-optimised MP4 has it. */
    public static synchronized Path faststart(Path video) {
        Path file = CACHE.resolve("faststart-" + video.getFileName());
        if (!Files.exists(file)) {
            try {
                Path partial = Files.createTempFile(CACHE, "faststart-", ".mp4");
                run(TOOLS.ffmpeg(), List.of("-nostdin", "-loglevel", "error", "-y", "-i", video.toString(),
                        "-c", "copy", "-movflags", "+faststart", partial.toString()));
                Files.move(partial, file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return file;
    }

    /**
     * The same streams with a display rotation, as a phone stores a clip recorded upright: the frame stays as coded,
     * the container says to turn it {@code degrees} counter-clockwise.
     */
    public static synchronized Path rotated(Path video, int degrees) {
        Path file = CACHE.resolve("rotated" + degrees + "-" + video.getFileName());
        if (!Files.exists(file)) {
            try {
                Path partial = Files.createTempFile(CACHE, "rotated-", ".mp4");
                run(TOOLS.ffmpeg(), List.of("-nostdin", "-loglevel", "error", "-y", "-display_rotation", Integer.toString(degrees),
                        "-i", video.toString(), "-c", "copy", partial.toString()));
                Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return file;
    }

    /** The first half of the file's bytes: an upload cut off halfway. */
    public static byte[] firstHalf(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return java.util.Arrays.copyOf(bytes, bytes.length / 2);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the index (moov box) comes before the media data (mdat) among the file's top-level boxes. */
    public static boolean indexFirst(Path mp4) {
        try (var in = new java.io.DataInputStream(Files.newInputStream(mp4))) {
            while (true) {
                long size = Integer.toUnsignedLong(in.readInt());
                String type = new String(in.readNBytes(4), StandardCharsets.US_ASCII);
                if (type.equals("moov") || type.equals("mdat")) {
                    return type.equals("moov");
                }
                long rest = (size == 1 ? in.readLong() - 16 : size - 8);
                in.skipNBytes(rest);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static double durationSeconds(Path video) {
        return Double.parseDouble(run(TOOLS.ffprobe(), List.of("-v", "error", "-show_entries", "format=duration",
                "-of", "default=noprint_wrappers=1:nokey=1", video.toString())).strip());
    }

    /** Codec types of the streams, in order, e.g. [video, audio]. */
    public static List<String> streamTypes(Path video) {
        return run(TOOLS.ffprobe(), List.of("-v", "error", "-show_entries", "stream=codec_type",
                "-of", "default=noprint_wrappers=1:nokey=1", video.toString())).lines().map(String::strip).toList();
    }

    /** Codec names of the streams, in order, e.g. [h264, aac]. */
    public static List<String> codecs(Path video) {
        return run(TOOLS.ffprobe(), List.of("-v", "error", "-show_entries", "stream=codec_name",
                "-of", "default=noprint_wrappers=1:nokey=1", video.toString())).lines().map(String::strip).toList();
    }

    /** Width and height of the first video stream. */
    public static int[] videoSize(Path video) {
        String[] size = run(TOOLS.ffprobe(), List.of("-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=width,height", "-of", "csv=p=0:s=x", video.toString())).strip().split("x");
        return new int[] {Integer.parseInt(size[0]), Integer.parseInt(size[1])};
    }

    /** The stereo_mode of the first frame's frame-packing SEI, as ffprobe reads it (left_right, top_bottom), or "". */
    public static String stereoMode(Path video) {
        return run(TOOLS.ffprobe(), List.of("-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
                "-show_entries", "frame_tags=stereo_mode", "-of", "default=noprint_wrappers=1:nokey=1", video.toString()))
                .lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst().orElse("");
    }

    /** The frames of the first video stream (its packets, counted without decoding). */
    public static long frameCount(Path video) {
        return Long.parseLong(run(TOOLS.ffprobe(), List.of("-v", "error", "-select_streams", "v:0", "-count_packets",
                "-show_entries", "stream=nb_read_packets", "-of", "default=noprint_wrappers=1:nokey=1", video.toString())).strip());
    }

    /** The first video stream's average frame rate, in frames a second. */
    public static double frameRate(Path video) {
        String[] rate = run(TOOLS.ffprobe(), List.of("-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=avg_frame_rate", "-of", "default=noprint_wrappers=1:nokey=1", video.toString())).strip().split("/");
        return Double.parseDouble(rate[0]) / (rate.length > 1 ? Double.parseDouble(rate[1]) : 1);
    }

    /**
     * How far apart the two views of a side-by-side frame are: the mean absolute difference of their luma, 0 to
     * 255, in the first frame (0 for identical views).
     */
    public static double viewDifference(Path sideBySide) {
        int[] size = videoSize(sideBySide);
        try {
            Path raw = Files.createTempFile("reelroute-frame-", ".gray");
            try {
                run(TOOLS.ffmpeg(), List.of("-v", "error", "-y", "-i", sideBySide.toString(), "-frames:v", "1",
                        "-f", "rawvideo", "-pix_fmt", "gray", raw.toString()));
                byte[] luma = Files.readAllBytes(raw);
                int half = size[0] / 2;
                long sum = 0;
                for (int y = 0; y < size[1]; y++) {
                    for (int x = 0; x < half; x++) {
                        sum += Math.abs((luma[y * size[0] + x] & 0xff) - (luma[y * size[0] + half + x] & 0xff));
                    }
                }
                return (double) sum / (half * size[1]);
            } finally {
                Files.deleteIfExists(raw);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The segments the chunk hop would make of {@code clip}: the same ffmpeg split, into {@code outDir}. */
    public static List<Path> split(Path clip, int segmentSeconds, Path outDir) {
        run(TOOLS.ffmpeg(), io.reelroute.media.MediaCommands.split(clip, outDir, segmentSeconds));
        try (var files = Files.list(outDir)) {
            return files.filter(p -> p.toString().endsWith(".mp4")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String run(String executable, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // Sources over the limits

    /**
     * An H.264 MP4 (no audio) of {@code seconds} at {@code fps} frames a second with a keyframe every second,
     * generated once per build and reused.
     */
    public static synchronized Path clipAtRate(int seconds, int width, int height, int fps) {
        Path file = CACHE.resolve("clip-" + seconds + "s-" + width + "x" + height + "-" + fps + "fps.mp4");
        if (!Files.exists(file)) {
            try {
                Files.createDirectories(CACHE);
                Path partial = Files.createTempFile(CACHE, "clip-rate-", ".mp4");
                run(TOOLS.ffmpeg(), List.of("-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
                        "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + fps + ":duration=" + seconds,
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        "-g", Integer.toString(fps), "-keyint_min", Integer.toString(fps), "-sc_threshold", "0",
                        partial.toString()));
                Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return file;
    }

    // Multi-track sources for the HLS packager

    /** The cues of {@link #multiTrackClip}'s subtitle track, in order; the first lasts from 0.5 s to 2.5 s. */
    public static final List<String> MULTI_TRACK_CUES = List.of("Hello from the first cue", "And here is the second");

    /**
     * An H.264 MP4 of {@code seconds} (at least 4; 320x240, 25 fps) with two AAC tracks, English (440 Hz) and French
     * titled "Commentary" (880 Hz), and an English mov_text subtitle track with {@link #MULTI_TRACK_CUES} (0.5 to 2.5 s
     * and 3.0 to 3.8 s), generated once per build. MP4 keeps no track title, so the title is also given as the track's
     * handler name, which it keeps.
     */
    public static synchronized Path multiTrackClip(int seconds) {
        if (seconds < 4) {
            throw new IllegalArgumentException("the cues need 4 s, not " + seconds);
        }
        Path file = CACHE.resolve("multi-track-" + seconds + "s.mp4");
        if (Files.exists(file)) {
            return file;
        }
        try {
            Files.createDirectories(CACHE);
            Path srt = Files.createTempFile(CACHE, "cues-", ".srt");
            Files.writeString(srt, "1\n00:00:00,500 --> 00:00:02,500\n" + MULTI_TRACK_CUES.get(0) + "\n\n"
                    + "2\n00:00:03,000 --> 00:00:03,800\n" + MULTI_TRACK_CUES.get(1) + "\n", StandardCharsets.UTF_8);
            Path partial = Files.createTempFile(CACHE, "multi-track-", ".mp4");
            run(TOOLS.ffmpeg(), List.of("-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=" + seconds,
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + seconds,
                    "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000:duration=" + seconds,
                    "-i", srt.toString(),
                    "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                    "-c:a", "aac", "-b:a", "64k", "-c:s", "mov_text",
                    "-metadata:s:a:0", "language=eng",
                    "-metadata:s:a:1", "language=fra", "-metadata:s:a:1", "title=Commentary",
                    "-metadata:s:a:1", "handler_name=Commentary",
                    "-metadata:s:s:0", "language=eng",
                    "-movflags", "+faststart", partial.toString()));
            Files.delete(srt);
            Files.move(partial, file);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
