package io.reelroute.chunk;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Mode;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.SegmentKey;
import io.reelroute.jobs.JobSources;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaRuns;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;

/**
 * The chunk hop's local disk: a folder per run that holds the downloaded source and the segments
 * ffmpeg writes, so videos never pass whole through the heap. The route removes it in its finally step.
 * Reads the exchange properties {@code jobId}, {@code mode} and {@code probe}.
 */
@Component("chunkWork")
public class ChunkWork {

    public static final String JOB_ID = "jobId";
    public static final String MODE = "mode";
    public static final String TOTAL_SEGMENTS = "totalSegments";
    /** The {@link VideoProbe} of the source, set by the route. */
    public static final String PROBE = "probe";

    private static final double MISSING_TOLERANCE_SECONDS = 1.0;
    private static final double MISSING_TOLERANCE_FRACTION = 0.02;

    /** A segment file and the canonical key it is uploaded under. */
    public record SegmentUpload(File file, String key) {
    }

    private final JobSources sources;
    private final Path workRoot;

    public ChunkWork(JobSources sources, ReelRouteProperties properties) {
        this.sources = sources;
        this.workRoot = properties.media().workRoot();
    }

    /** Creates the run's folder and streams the source object into it. */
    public void downloadSource(Exchange exchange) throws IOException {
        String jobId = exchange.getProperty(JOB_ID, String.class);
        Path dir = WorkFolders.create(workRoot, "chunk-" + jobId);
        exchange.setProperty(MediaRuns.WORK_DIR, dir);
        Path source = sources.download(jobId, dir);
        exchange.setProperty(MediaRuns.SOURCE_FILE, source);
    }

    /** The segments ffmpeg wrote, in order, each with its canonical key; sets {@code totalSegments}. */
    public List<SegmentUpload> segments(Exchange exchange) throws IOException {
        String jobId = exchange.getProperty(JOB_ID, String.class);
        Mode mode = exchange.getProperty(MODE, Mode.class);
        List<File> files;
        try (Stream<Path> listing = Files.list(exchange.getProperty(MediaRuns.WORK_DIR, Path.class).resolve(MediaRuns.SEGMENTS_DIR))) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".mp4")).sorted().map(Path::toFile).toList();
        }
        if (files.isEmpty()) {
            throw new PermanentJobFailure(FailurePhase.CHUNKING, "ffmpeg wrote no segments for the source");
        }
        requireWholeSource(exchange);
        int total = files.size();
        exchange.setProperty(TOTAL_SEGMENTS, total);
        return java.util.stream.IntStream.range(0, total)
                .mapToObj(i -> new SegmentUpload(files.get(i), new SegmentKey(jobId, i, total, mode).key()))
                .toList();
    }

    /**
     * An MP4 whose index (moov) comes first declares its full duration even when the upload was cut off: ffprobe
     * reads it and ffmpeg splits what is there without an error. The segments must reach the declared end
     * (within {@link #MISSING_TOLERANCE_SECONDS} or {@link #MISSING_TOLERANCE_FRACTION} of it, for container
     * rounding), or the job would complete with part of the video.
     */
    private static void requireWholeSource(Exchange exchange) throws IOException {
        VideoProbe probe = exchange.getProperty(PROBE, VideoProbe.class);
        Path list = exchange.getProperty(MediaRuns.WORK_DIR, Path.class).resolve(MediaRuns.SEGMENTS_DIR)
                .resolve(MediaCommands.SEGMENT_LIST);
        if (probe == null || !Files.exists(list)) {
            return;
        }
        List<String> lines = Files.readAllLines(list).stream().filter(line -> !line.isBlank()).toList();
        if (lines.isEmpty()) {
            return;
        }
        String last = lines.get(lines.size() - 1);
        double end;
        try {
            end = Double.parseDouble(last.substring(last.lastIndexOf(',') + 1).strip());
        } catch (NumberFormatException unreadable) {
            return;
        }
        double declared = probe.durationSeconds();
        if (end < declared - Math.max(MISSING_TOLERANCE_SECONDS, declared * MISSING_TOLERANCE_FRACTION)) {
            throw new PermanentJobFailure(FailurePhase.CHUNKING, String.format(Locale.ROOT,
                    "the source is truncated or damaged: its media ends at %.1f s of the %.1f s it declares", end, declared));
        }
    }

    public void cleanup(Exchange exchange) {
        WorkFolders.remove(exchange.getProperty(MediaRuns.WORK_DIR, Path.class));
    }
}
