package io.reelroute.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.VideoProbe;
import io.reelroute.transcode.LocalHlsPackager;
import io.reelroute.testing.TestParams;

/**
 * The pipeline's ffmpeg work on one source run back to back in this process, the baseline a benchmark compares
 * the pipeline with: probe, split into segments, the {@code sbs} preview per segment, concat, and where asked the
 * local packager's HLS ladder.
 */
final class DirectWork {

    private static final MediaTools TOOLS = MediaTools.bundled();

    private DirectWork() {
    }

    /** The work on {@code source} cut into {@code segmentSeconds} segments, in a new folder under target/; seconds. */
    static double seconds(Path source, int segmentSeconds) throws IOException {
        return seconds(source, segmentSeconds, null);
    }

    /** As {@link #seconds(Path, int)}, then the HLS ladder of the result by {@code hls} where it is not null. */
    static double seconds(Path source, int segmentSeconds, LocalHlsPackager hls) throws IOException {
        return steps(source, segmentSeconds, hls).values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** As {@link #seconds(Path, int, LocalHlsPackager)}, the seconds of each step by name, in order. */
    static Map<String, Double> steps(Path source, int segmentSeconds, LocalHlsPackager hls) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-direct-");
        Map<String, Double> steps = new LinkedHashMap<>();
        long started = System.nanoTime();
        run(TOOLS.ffprobe(), MediaCommands.probe(source), dir.resolve("probe.json"));
        VideoProbe.parse(Files.readString(dir.resolve("probe.json")), new ObjectMapper());
        started = step(steps, "probe", started);
        Path segments = Files.createDirectories(dir.resolve("segments"));
        run(TOOLS.ffmpeg(), MediaCommands.split(source, segments, segmentSeconds), dir.resolve("split.log"));
        started = step(steps, "split", started);
        List<String> concat = new ArrayList<>();
        List<Path> parts;
        try (var files = Files.list(segments)) {
            parts = files.filter(p -> p.toString().endsWith(".mp4")).sorted().toList();
        }
        for (Path part : parts) {
            Path out = dir.resolve("out-" + part.getFileName());
            run(TOOLS.ffmpeg(), MediaCommands.stereoPreview(part, out, TestParams.stereo("{}"),
                    new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()).probe(part)), dir.resolve("preview.log"));
            concat.add("file '" + out.toAbsolutePath() + "'");
        }
        started = step(steps, "previews", started);
        Files.write(dir.resolve("concat.txt"), concat);
        run(TOOLS.ffmpeg(), MediaCommands.concat(dir.resolve("concat.txt"), dir.resolve("final.mp4"), null, null), dir.resolve("concat.log"));
        started = step(steps, "concat", started);
        if (hls != null) {
            hls.packageHls(dir.resolve("final.mp4"), dir.resolve("hls"), 0);
            step(steps, "hls", started);
        }
        return steps;
    }

    private static long step(Map<String, Double> steps, String name, long started) {
        long now = System.nanoTime();
        steps.put(name, (now - started) / 1e9);
        return now;
    }

    /** Runs {@code program} with {@code args}, its output into {@code log}; a failure throws with the output's tail. */
    static void run(String program, List<String> args, Path log) throws IOException {
        ProcessRunner.Result result = ProcessRunner.run(program, args, Duration.ofMinutes(30), log);
        if (!result.succeeded()) {
            throw new IllegalStateException(program + " " + args + ": " + result.tail());
        }
    }
}
