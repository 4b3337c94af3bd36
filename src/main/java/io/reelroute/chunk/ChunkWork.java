package io.reelroute.chunk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.ArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.Mode;
import io.reelroute.contract.Params;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.jobs.JobSources;
import io.reelroute.media.MediaSteps;
import io.reelroute.media.Transfers;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The chunk hop's local disk: a folder per run that holds the downloaded source and the segments ffmpeg writes,
 * so videos never pass whole through the heap. The route removes it in its finally step.
 */
@Component("chunkWork")
public class ChunkWork {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkWork.class);

    private static final double MISSING_TOLERANCE_SECONDS = 1.0;
    private static final double MISSING_TOLERANCE_FRACTION = 0.02;

    /**
     * One chunk run's work folder and the source downloaded into it; the segments go to {@link #segmentsDir()}.
     *
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

    private final JobSources sources;
    private final JobStore jobs;
    private final Path workRoot;
    private final MediaSteps media;
    private final S3Client s3;
    private final String inputBucket;
    private final int parallelUploads;

    @Autowired
    public ChunkWork(JobSources sources, JobStore jobs, MediaSteps media, S3Client s3, ReelRouteProperties properties) {
        this(sources, jobs, properties.media().workRoot(), media, s3, ResourceNames.fromPrefix(properties.prefix()).inputBucket(),
                properties.media().parallelTransfers());
    }

    ChunkWork(JobSources sources, JobStore jobs, Path workRoot, MediaSteps media, S3Client s3, String inputBucket,
            int parallelUploads) {
        this.sources = sources;
        this.jobs = jobs;
        this.workRoot = workRoot;
        this.media = media;
        this.s3 = s3;
        this.inputBucket = inputBucket;
        this.parallelUploads = Math.max(1, parallelUploads);
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
     * Splits the run's source into segments of about {@code segmentSeconds} ({@link MediaSteps#split}) and hands each
     * on as soon as ffmpeg has written it: its lead-in added ({@code overlap_seconds}), then uploaded to the input
     * bucket under its canonical key ({@link SegmentKey}), which announces it to the per-segment work hop while the
     * split goes on. Up to reelroute.media.parallel-transfers uploads run at once. Returns how many segments there
     * are, once every one is uploaded and the source was split to its end ({@link #requireWholeSource}).
     */
    public int splitAndHandOn(String jobId, Mode mode, Run run, int segmentSeconds, VideoProbe probe) throws IOException {
        MediaSteps.LeadIns leadIns = media.leadIns(run.source(), run.overlapSeconds(), probe);
        List<String> keys = new ArrayList<>();
        boolean handedOnAll = false;
        try (Transfers<Object> uploads = new Transfers<>(parallelUploads)) {
            MediaSteps.Segments split = media.split(run.source(), run.segmentsDir(), segmentSeconds, run.snapToScenes(),
                    probe, (index, file) -> {
                        leadIns.add(index, file);
                        String key = new SegmentKey(jobId, index, mode).key();
                        keys.add(key);
                        uploads.submit(() -> s3.putObject(r -> r.bucket(inputBucket).key(key), file));
                    });
            if (split.files().isEmpty()) {
                throw new PermanentJobFailure(FailurePhase.CHUNKING, "ffmpeg wrote no segments for the source");
            }
            uploads.awaitAll();
            requireWholeSource(split, probe);
            handedOnAll = true;
            return split.files().size();
        } finally {
            // A failed split has stopped its uploads (closing them) and takes back the segments it handed on: a job
            // that fails in chunking leaves none (work on them stops, as for any failed job), and a retried run hands
            // them on again.
            if (!handedOnAll) {
                removeHandedOn(jobId, keys);
            }
        }
    }

    private void removeHandedOn(String jobId, List<String> keys) {
        for (String key : keys) {
            try {
                s3.deleteObject(r -> r.bucket(inputBucket).key(key));
            } catch (RuntimeException e) {
                LOG.warn("Job {}: segment {} of a failed split is left in s3://{}: {}", jobId, key, inputBucket, e.toString());
            }
        }
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
