package io.reelroute.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;

/**
 * The ffprobe and ffmpeg runs the kit's media hops name as steps of their own: probe a source, split it into
 * segments, join segments into one file. Each runs through {@link ProcessRunner} (argument list, timeout that
 * kills the program and its children, output to a log in the work folder) and fails the job in the phase it
 * serves (probe, chunking, reassembly) with the tail of that log.
 */
@Component("mediaSteps")
public class MediaSteps {

    /**
     * What a split wrote: the segment files in order, and where the last one ends in the source (seconds, from
     * ffmpeg's segment list), when ffmpeg said.
     */
    public record Segments(List<Path> files, OptionalDouble mediaEndSeconds) {
    }

    private final FileProbe probe;
    private final MediaTools tools;
    private final Duration splitTimeout;
    private final Duration joinTimeout;

    @Autowired
    public MediaSteps(FileProbe probe, MediaTools tools, ReelRouteProperties properties) {
        this(probe, tools, properties.media().splitTimeout(), properties.reassembly().concatTimeout());
    }

    public MediaSteps(FileProbe probe, MediaTools tools, Duration splitTimeout, Duration joinTimeout) {
        this.probe = probe;
        this.tools = tools;
        this.splitTimeout = splitTimeout;
        this.joinTimeout = joinTimeout;
    }

    /**
     * ffprobe on an uploaded source. A source it can't read is bad input, not a fault of ours: the job fails in
     * phase probe without retry, with what ffprobe said about "source" (not the work folder's path).
     */
    public VideoProbe probe(Path source) throws IOException {
        try {
            return probe.probe(source, "source");
        } catch (FileProbe.Unreadable unreadable) {
            throw new UnprocessableSourceException("the source is not a decodable video: " + unreadable.detail());
        }
    }

    /**
     * ffmpeg: splits {@code source} by stream copy into segments of about {@code segmentSeconds}, cut at keyframes,
     * in {@code outDir} ({@link MediaCommands#split}). A failure fails the job in phase chunking.
     */
    public Segments split(Path source, Path outDir, int segmentSeconds) throws IOException {
        Files.createDirectories(outDir);
        run(MediaCommands.split(source, outDir, segmentSeconds), splitTimeout, outDir.resolve("split.log"),
                FailurePhase.CHUNKING);
        List<Path> files;
        try (Stream<Path> listing = Files.list(outDir)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".mp4")).sorted().toList();
        }
        return new Segments(files, mediaEnd(outDir.resolve(MediaCommands.SEGMENT_LIST)));
    }

    /**
     * ffmpeg: joins {@code parts}, in order, into {@code output} (the concat demuxer; its list is written beside the
     * output), by stream copy, or re-encoding the video as {@code reencode} says when it is not null, and returns
     * {@code output}. A failure fails the job in phase reassembly.
     */
    public Path join(List<Path> parts, Path output, MediaCommands.Encoding reencode) throws IOException {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to join into " + output.getFileName());
        }
        List<String> lines = new ArrayList<>(parts.size());
        for (Path part : parts) {
            // The concat demuxer's quoting: a quote inside a quoted name is written '\''.
            lines.add("file '" + part.toAbsolutePath().toString().replace("'", "'\\''") + "'");
        }
        Path list = output.resolveSibling(output.getFileName() + ".concat.txt");
        Files.write(list, lines, StandardCharsets.UTF_8);
        run(reencode == null ? MediaCommands.concat(list, output) : MediaCommands.concat(list, output, reencode), joinTimeout, output.resolveSibling(output.getFileName() + ".log"),
                FailurePhase.REASSEMBLY);
        return output;
    }

    private void run(List<String> args, Duration timeout, Path log, FailurePhase phase) throws IOException {
        ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), args, timeout, log);
        if (!result.succeeded()) {
            throw new MediaCommandException(phase, "ffmpeg", result, timeout);
        }
    }

    /** The end time of the last segment in ffmpeg's CSV segment list ({@code name,start,end}), if it says. */
    private static OptionalDouble mediaEnd(Path list) throws IOException {
        if (!Files.exists(list)) {
            return OptionalDouble.empty();
        }
        List<String> lines = Files.readAllLines(list).stream().filter(line -> !line.isBlank()).toList();
        if (lines.isEmpty()) {
            return OptionalDouble.empty();
        }
        String last = lines.get(lines.size() - 1);
        try {
            return OptionalDouble.of(Double.parseDouble(last.substring(last.lastIndexOf(',') + 1).strip()));
        } catch (NumberFormatException unreadable) {
            return OptionalDouble.empty();
        }
    }
}
