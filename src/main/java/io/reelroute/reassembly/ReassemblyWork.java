package io.reelroute.reassembly;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.annotation.PreDestroy;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.InvalidKeyException;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.ReassemblyMessage;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaSteps;
import io.reelroute.media.Transfers;
import io.reelroute.media.UnprocessableSourceException;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;
import io.reelroute.store.JobStore;
import io.reelroute.store.ReassemblyLocks;
import io.reelroute.store.SegmentCompletionStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The reassembly hop's work: decides what a reassembly message asks for, holds the job's lock while it works,
 * brings the segment outputs to disk in order (noting whether a browser plays them as they are, else the join
 * re-encodes them), and checks ffmpeg's joined result before it is uploaded. The
 * route keeps the {@link Run} in a variable and passes it to each step.
 */
@Component("reassemblyWork")
public class ReassemblyWork {

    /** What a reassembly message leads to. */
    public enum Plan {
        /** Join the segments. */
        REASSEMBLE,
        /** final.mp4 exists already (a repeat, or a crash after the upload): only the job record is behind. */
        FINISH_BOOKKEEPING,
        /** The job is gone, failed, deleted, or not ready: nothing to do. */
        SKIP
    }

    /** Another worker holds the job's lock: the message comes back after its visibility timeout. */
    public static class LockHeld extends RuntimeException {
        public LockHeld(String message) {
            super(message);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReassemblyWork.class);

    /** The joined file may differ from its parts by container rounding, never by a lost segment. */
    private static final double DURATION_TOLERANCE_SECONDS = 0.5;

    private final S3Client s3;
    private final JobStore jobs;
    private final SegmentCompletionStore completions;
    private final ReassemblyLocks locks;
    private final FileProbe fileProbe;
    private final ObjectMapper mapper;
    private final ResourceNames names;
    private final Path workRoot;
    private final Duration lockLease;
    private final boolean audioFromSource;
    private final int parallelTransfers;
    /**
     * The lock's owner for every run of this process: the pod (or host) and the process id. A container restarted in
     * its pod is the same owner (PID 1 again), so the message it gets back resumes at once instead of waiting out
     * the lease its dead predecessor held; within the process, {@link #RUNNING} keeps two runs of one job apart.
     */
    private final String worker = hostName() + "/" + ProcessHandle.current().pid();
    /** The jobs this process is reassembling now (a JVM holds one lock owner, whatever its contexts). */
    private static final Set<String> RUNNING = ConcurrentHashMap.newKeySet();
    /** Each run's lease renewal, by job. */
    private final Map<String, ScheduledFuture<?>> renewals = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "reassembly-lock-renewal");
        thread.setDaemon(true);
        return thread;
    });

    public ReassemblyWork(S3Client s3, JobStore jobs, SegmentCompletionStore completions, ReassemblyLocks locks,
            FileProbe fileProbe, ObjectMapper mapper, ReelRouteProperties properties) {
        this.s3 = s3;
        this.jobs = jobs;
        this.completions = completions;
        this.locks = locks;
        this.fileProbe = fileProbe;
        this.mapper = mapper;
        this.names = ResourceNames.fromPrefix(properties.prefix());
        this.workRoot = properties.media().workRoot();
        this.lockLease = properties.reassembly().lockTtl();
        this.audioFromSource = !"model".equals(properties.reassembly().audioFrom());
        this.parallelTransfers = properties.media().parallelTransfers();
    }

    /** The job id of a {@code {"job_id": ...}} message. */
    public String jobId(String body) {
        return ReassemblyMessage.jobId(body, mapper);
    }

    public Plan plan(String jobId) {
        Optional<Job> job = jobs.find(jobId);
        if (job.isEmpty() || job.get().status() == JobStatus.FAILED || job.get().deletedAt() != null) {
            return Plan.SKIP;
        }
        if (job.get().status() == JobStatus.COMPLETED || finalExists(jobId)) {
            return Plan.FINISH_BOOKKEEPING;
        }
        if (job.get().status() == JobStatus.CHUNKING_COMPLETE && job.get().completedSegments() < job.get().totalSegments()) {
            // Early (a copy sent by hand, or a stale one): the trigger sends the hand-off once every segment is done.
            return Plan.SKIP;
        }
        return job.get().status() == JobStatus.CHUNKING_COMPLETE || job.get().status() == JobStatus.REASSEMBLING
                ? Plan.REASSEMBLE : Plan.SKIP;
    }

    /**
     * One reassembly run: the job, the owner of the lock it holds, and once the segment outputs are downloaded, the
     * work folder and the outputs in order with their pictures' durations.
     */
    public record Run(String jobId, String lockOwner, Path workDir, List<MediaSteps.Part> parts,
            boolean audio, MediaCommands.Encoding reencode, double leadInSeconds, MediaCommands.SourceTracks tracks) {

        /** What the joined video must last (for {@link #verify}): the parts' pictures, less the lead-ins the join cuts. */
        public double expectedSeconds() {
            return parts.stream().mapToDouble(MediaSteps.Part::pictureSeconds).sum() - leadInSeconds * Math.max(0, parts.size() - 1);
        }

        /** Where the joined video goes. */
        public Path finalFile() {
            return workDir.resolve("final.mp4");
        }
    }

    /**
     * Takes the job's lock for this run and renews its lease every third of it until {@link #cleanup}, or throws
     * {@link LockHeld} (another worker holds it, or this process is already reassembling the job).
     */
    public Run lock(String jobId) {
        if (!RUNNING.add(jobId)) {
            throw new LockHeld("job " + jobId + " is being reassembled by this worker already");
        }
        try {
            if (!locks.acquire(jobId, worker, lockLease)) {
                throw new LockHeld("job " + jobId + " is being reassembled by another worker; its lock frees itself at expiry");
            }
        } catch (RuntimeException e) {
            RUNNING.remove(jobId);
            throw e;
        }
        long every = Math.max(1, lockLease.toMillis() / 3);
        renewals.put(jobId, renewer.scheduleAtFixedRate(() -> renew(jobId), every, every, TimeUnit.MILLISECONDS));
        return new Run(jobId, worker, null, List.of(), false, null, 0, null);
    }

    /** The lock owner of this process's runs. */
    String owner() {
        return worker;
    }

    /** One renewal; a lock lost (its lease ran out, and another took it) is not renewed again. */
    private void renew(String jobId) {
        try {
            if (!locks.renew(jobId, worker, lockLease)) {
                LOG.warn("Job {}: the reassembly lock was lost (its lease ran out before it was renewed); another worker "
                        + "may be joining it too, to the same final.mp4", jobId);
                ScheduledFuture<?> renewal = renewals.get(jobId);
                if (renewal != null) {
                    renewal.cancel(false);
                }
            }
        } catch (RuntimeException e) {
            // DynamoDB unreachable: the next renewal tries again while the lease lasts.
            LOG.warn("Job {}: could not renew the reassembly lock: {}", jobId, e.getMessage());
        }
    }

    /**
     * Moves the job to {@code reassembling}, checks that every segment's completion is recorded, and downloads
     * the outputs in order into a new work folder (removed again if this fails). Each output must be a readable
     * video: a backend that wrote something else fails the job with the segment named, before ffmpeg tries to
     * join it.
     */
    public Run downloadSegments(Run locked) throws IOException {
        String jobId = locked.jobId();
        JobStore.Transition moved = jobs.startReassembly(jobId);
        if (!moved.applied()) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, "the job is " + moved.current() + ", not ready to reassemble");
        }
        Job job = jobs.find(jobId).orElseThrow();
        int total = job.totalSegments();
        SortedSet<Integer> recorded = completions.completedIndices(jobId);
        List<Integer> missing = IntStream.range(0, total).filter(i -> !recorded.contains(i)).boxed().toList();
        if (!missing.isEmpty()) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, "segments " + missing + " of " + total
                    + " have no recorded completion");
        }
        Path dir = WorkFolders.create(workRoot, "reassembly-" + jobId);
        try {
            List<Fetched> fetched;
            try (Transfers<Fetched> downloads = new Transfers<>(parallelTransfers)) {
                for (int i = 0; i < total; i++) {
                    int index = i;
                    downloads.submit(() -> fetch(jobId, index, total, dir));
                }
                fetched = downloads.awaitAll();
            }
            boolean audio = fetched.stream().anyMatch(f -> f.probe().hasAudio());
            boolean playable = fetched.stream().allMatch(f -> f.probe().browserPlayable());
            // Segments with a lead-in (overlap_seconds) are re-encoded at the join, which cuts it off again.
            Number overlap = job.params().number("overlap_seconds");
            double leadIn = overlap == null ? 0 : overlap.doubleValue();
            MediaCommands.SourceTracks tracks = sourceTracks(jobId, dir);
            List<MediaSteps.Part> parts = fetched.stream().map(f -> new MediaSteps.Part(f.file(), f.probe().durationSeconds())).toList();
            return new Run(jobId, locked.lockOwner(), dir, parts,
                    audio || (tracks != null && tracks.audio()),
                    playable && leadIn == 0 ? null : MediaCommands.Encoding.of(job.params()), leadIn, tracks);
        } catch (IOException | RuntimeException e) {
            WorkFolders.remove(dir);
            throw e;
        }
    }

    /** A segment's output in the work folder, and what ffprobe says of it. */
    private record Fetched(Path file, VideoProbe probe) {
    }

    /** Downloads the output of segment {@code index} into {@code dir} and probes it. */
    private Fetched fetch(String jobId, int index, int total, Path dir) throws IOException {
        Path segment = dir.resolve(String.format("%05d.mp4", index));
        String key = OutputKeys.segment(jobId, index);
        try {
            s3.getObject(r -> r.bucket(names.outputBucket()).key(key), segment);
        } catch (NoSuchKeyException gone) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, "segment output s3://" + names.outputBucket()
                    + "/" + key + " is recorded as complete but does not exist");
        }
        return new Fetched(segment, probe(segment, "segment " + index + " of " + total + ": its output s3://"
                + names.outputBucket() + "/" + key));
    }

    /**
     * The joined file must last as long as its segments together (within half a second) and keep their video
     * and audio; otherwise the job fails with what differs. Returns what ffprobe says of it.
     */
    public VideoProbe verify(Run run, Path joined) throws IOException {
        VideoProbe result = probe(joined, "the joined video");
        if (Math.abs(result.durationSeconds() - run.expectedSeconds()) > DURATION_TOLERANCE_SECONDS) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, String.format(
                    "the joined video lasts %.2f s but its %d segments add up to %.2f s", result.durationSeconds(),
                    run.parts().size(), run.expectedSeconds()));
        }
        if (run.audio() && !result.hasAudio()) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, "the segments have audio but the joined video has none");
        }
        return result;
    }

    /**
     * The source's audio, subtitles and chapters the chunk hop kept ({@code tracks/{job_id}/tracks.mkv}), downloaded
     * into {@code dir}; null for a source that had none (or a job chunked before they were kept).
     */
    private MediaCommands.SourceTracks sourceTracks(String jobId, Path dir) {
        Path file = dir.resolve("tracks.mkv");
        try {
            s3.getObject(r -> r.bucket(names.inputBucket()).key(SourceKey.tracksKeyFor(jobId)), file);
        } catch (NoSuchKeyException none) {
            return null;
        }
        return new MediaCommands.SourceTracks(file, audioFromSource);
    }

    public String finalKey(String jobId) {
        return OutputKeys.finalVideo(jobId);
    }

    /** Removes the work folder and releases the lock, whatever happened; {@code run} is null if no lock was taken. */
    public void cleanup(Run run) {
        if (run == null) {
            return;
        }
        try {
            ScheduledFuture<?> renewal = renewals.remove(run.jobId());
            if (renewal != null) {
                renewal.cancel(false);
            }
            WorkFolders.remove(run.workDir());
            locks.release(run.jobId(), run.lockOwner());
        } finally {
            RUNNING.remove(run.jobId());
        }
    }

    @PreDestroy
    void stopRenewing() {
        renewer.shutdownNow();
    }

    private boolean finalExists(String jobId) {
        try {
            s3.headObject(r -> r.bucket(names.outputBucket()).key(OutputKeys.finalVideo(jobId)));
            return true;
        } catch (NoSuchKeyException absent) {
            return false;
        }
    }

    /** @param what names the video for the job's failure reason, e.g. "segment 2 of 5: its output s3://…" */
    private VideoProbe probe(Path video, String what) throws IOException {
        try {
            return fileProbe.probe(video, video.getFileName().toString());
        } catch (FileProbe.Unreadable unreadable) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, what + " is not a readable video: " + unreadable.detail());
        } catch (UnprocessableSourceException unusable) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, what + ": " + unusable.getMessage());
        }
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? "reelroute" : host;
    }
}
