package io.reelroute.chunk;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.Mode;
import io.reelroute.contract.Params;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.SegmentKey;
import io.reelroute.jobs.JobSources;
import io.reelroute.media.MediaSteps;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;
import io.reelroute.store.JobStore;

/**
 * The chunk hop's local disk: a folder per run that holds the downloaded source and the segments ffmpeg writes,
 * so videos never pass whole through the heap. The route removes it in its finally step.
 */
@Component("chunkWork")
public class ChunkWork {

    private static final double MISSING_TOLERANCE_SECONDS = 1.0;
    private static final double MISSING_TOLERANCE_FRACTION = 0.02;

    /** One chunk run's work folder and the source downloaded into it; the segments go to {@link #segmentsDir()}. */
    /**
     * @param segmentSeconds the segment length the job's params ask for; null where they name none
     * @param overlapSeconds the lead-in each segment but the first gets from the one before ({@code overlap_seconds}), 0 for none
     * @param snapToScenes whether cuts move to nearby scene changes ({@code snap_to_scenes})
     */
    public record Run(Path workDir, Path source, Integer segmentSeconds, double overlapSeconds, boolean snapToScenes) {

        public Path segmentsDir() {
            return workDir.resolve("segments");
        }

        /** The job's segment length, or {@code fallback} (the hop's) where its params name none. */
        public int segmentSecondsOr(int fallback) {
            return segmentSeconds == null ? fallback : segmentSeconds;
        }
    }

    /** A segment file and the canonical key it is uploaded under. */
    public record SegmentUpload(File file, String key) {
    }

    private final JobSources sources;
    private final JobStore jobs;
    private final Path workRoot;

    @Autowired
    public ChunkWork(JobSources sources, JobStore jobs, ReelRouteProperties properties) {
        this(sources, jobs, properties.media().workRoot());
    }

    ChunkWork(JobSources sources, JobStore jobs, Path workRoot) {
        this.sources = sources;
        this.jobs = jobs;
        this.workRoot = workRoot;
    }

    /**
     * Creates the run's folder and streams the job's source object into it; the folder is removed if that fails. The
     * run carries the segment length, overlap and cuts the job's params ask for ({@code segment_seconds},
     * {@code overlap_seconds}, {@code snap_to_scenes}), if any.
     */
    public Run downloadSource(String jobId) throws IOException {
        Params params = jobs == null ? Params.empty() : jobs.find(jobId).map(Job::params).orElse(Params.empty());
        Number segmentSeconds = params.number("segment_seconds");
        Number overlap = params.number("overlap_seconds");
        Path dir = WorkFolders.create(workRoot, "chunk-" + jobId);
        try {
            return new Run(dir, sources.download(jobId, dir), segmentSeconds == null ? null : segmentSeconds.intValue(),
                    overlap == null ? 0 : overlap.doubleValue(), Boolean.parseBoolean(params.text("snap_to_scenes")));
        } catch (IOException | RuntimeException e) {
            WorkFolders.remove(dir);
            throw e;
        }
    }

    /**
     * The segments the split wrote, in order, each with its canonical key; the source must have been split to its
     * end ({@link #requireWholeSource}).
     */
    public List<SegmentUpload> segments(String jobId, Mode mode, MediaSteps.Segments split, VideoProbe probe) {
        List<Path> files = split.files();
        if (files.isEmpty()) {
            throw new PermanentJobFailure(FailurePhase.CHUNKING, "ffmpeg wrote no segments for the source");
        }
        requireWholeSource(split, probe);
        int total = files.size();
        return IntStream.range(0, total)
                .mapToObj(i -> new SegmentUpload(files.get(i).toFile(), new SegmentKey(jobId, i, total, mode).key()))
                .toList();
    }

    /**
     * An MP4 whose index (moov) comes first declares its full duration even when the upload was cut off: ffprobe
     * reads it and ffmpeg splits what is there without an error. The segments must reach the declared end
     * (within {@link #MISSING_TOLERANCE_SECONDS} or {@link #MISSING_TOLERANCE_FRACTION} of it, for container
     * rounding), or the job would complete with part of the video.
     */
    static void requireWholeSource(MediaSteps.Segments split, VideoProbe probe) {
        if (split.mediaEndSeconds().isEmpty()) {
            return;
        }
        double end = split.mediaEndSeconds().getAsDouble();
        double declared = probe.durationSeconds();
        if (end < declared - Math.max(MISSING_TOLERANCE_SECONDS, declared * MISSING_TOLERANCE_FRACTION)) {
            throw new PermanentJobFailure(FailurePhase.CHUNKING, String.format(Locale.ROOT,
                    "the source is truncated or damaged: its picture ends at %.1f s of the %.1f s it declares;"
                    + " upload the whole file again, or export it again if it is damaged", end, declared));
        }
    }

    /** Removes the run's folder; {@code run} is null when the download failed (its folder is gone already). */
    public void cleanup(Run run) {
        if (run != null) {
            WorkFolders.remove(run.workDir());
        }
    }
}
