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

    public static double durationSeconds(Path video) {
        return Double.parseDouble(run(TOOLS.ffprobe(), List.of("-v", "error", "-show_entries", "format=duration",
                "-of", "default=noprint_wrappers=1:nokey=1", video.toString())).strip());
    }

    /** Codec types of the streams, in order, e.g. [video, audio]. */
    public static List<String> streamTypes(Path video) {
        return run(TOOLS.ffprobe(), List.of("-v", "error", "-show_entries", "stream=codec_type",
                "-of", "default=noprint_wrappers=1:nokey=1", video.toString())).lines().map(String::strip).toList();
    }

    /** Width and height of the first video stream. */
    public static int[] videoSize(Path video) {
        String[] size = run(TOOLS.ffprobe(), List.of("-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=width,height", "-of", "csv=p=0:s=x", video.toString())).strip().split("x");
        return new int[] {Integer.parseInt(size[0]), Integer.parseInt(size[1])};
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
}
