package io.reelroute.reassembly;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.UUID;
import java.util.stream.IntStream;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

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
import io.reelroute.media.MediaRuns;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;
import io.reelroute.store.JobStore;
import io.reelroute.store.ReassemblyLocks;
import io.reelroute.store.SegmentCompletionStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The reassembly hop's work: decides what a reassembly message asks for, holds the job's lock while it works,
 * brings the segment outputs to disk in order, and checks ffmpeg's joined result before it is uploaded.
 * Exchange properties: {@code jobId}; {@code workDir}, {@code concatList} and {@code finalFile} while it runs.
 */
@Component("reassemblyWork")
public class ReassemblyWork {

    /** What a reassembly message leads to. */
    public enum Plan {
        /** Join the segments. */
        REASSEMBLE,
        /** final.mp4 exists already (a repeat, or a crash after the upload): only the job record is behind. */
        FINISH_BOOKKEEPING,
        /** The job is gone, failed, or not ready: nothing to do. */
        SKIP
    }

    /** Another worker holds the job's lock: the message comes back after its visibility timeout. */
    public static class LockHeld extends RuntimeException {
        public LockHeld(String message) {
            super(message);
        }
    }

    private static final String LOCK_OWNER = "reassemblyLockOwner";
    /** What the downloaded segment outputs add up to, for {@link #verify}. */
    private static final String SEGMENTS_SECONDS = "segmentsSeconds";
    private static final String SEGMENTS_AUDIO = "segmentsAudio";
    private static final String SEGMENTS_TOTAL = "segmentsTotal";
    /** The joined file may differ from its parts by container rounding, never by a lost segment. */
    private static final double DURATION_TOLERANCE_SECONDS = 0.5;
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(ReassemblyWork.class);

    private final S3Client s3;
    private final JobStore jobs;
    private final SegmentCompletionStore completions;
    private final ReassemblyLocks locks;
    private final MediaTools tools;
    private final ObjectMapper mapper;
    private final ResourceNames names;
    private final Path workRoot;
    private final Duration lockTtl;
    private final String worker = hostName() + "/" + UUID.randomUUID();

    public ReassemblyWork(S3Client s3, JobStore jobs, SegmentCompletionStore completions, ReassemblyLocks locks,
            MediaTools tools, ObjectMapper mapper, ReelRouteProperties properties) {
        this.s3 = s3;
        this.jobs = jobs;
        this.completions = completions;
        this.locks = locks;
        this.tools = tools;
        this.mapper = mapper;
        this.names = ResourceNames.fromPrefix(properties.prefix());
        this.workRoot = properties.media().workRoot();
        this.lockTtl = properties.reassembly().lockTtl();
    }

    /** The job id of a {@code {"job_id": ...}} message. */
    public String jobId(String body) {
        return ReassemblyMessage.jobId(body, mapper);
    }

    public Plan plan(String jobId) {
        Optional<Job> job = jobs.find(jobId);
        if (job.isEmpty() || job.get().status() == JobStatus.FAILED) {
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

    /** Takes the job's lock for this run, or throws {@link LockHeld}. */
    public void lock(Exchange exchange) {
        String jobId = exchange.getProperty("jobId", String.class);
        String owner = worker + "/" + exchange.getExchangeId();
        if (!locks.acquire(jobId, owner, lockTtl)) {
            throw new LockHeld("job " + jobId + " is being reassembled by another worker; its lock frees itself at expiry");
        }
        exchange.setProperty(LOCK_OWNER, owner);
    }

    /**
     * Moves the job to {@code reassembling}, checks that every segment's completion is recorded, and downloads
     * the outputs in order with the concat list that names them. Each output must be a readable video: a backend
     * that wrote something else fails the job with the segment named, before ffmpeg tries to join it.
     */
    public void downloadSegments(Exchange exchange) throws IOException {
        String jobId = exchange.getProperty("jobId", String.class);
        JobStore.Transition moved = jobs.startReassembly(jobId);
        if (!moved.applied()) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, "the job is " + moved.current() + ", not ready to reassemble");
        }
        int total = jobs.find(jobId).map(Job::totalSegments).orElseThrow();
        SortedSet<Integer> recorded = completions.completedIndices(jobId);
        List<Integer> missing = IntStream.range(0, total).filter(i -> !recorded.contains(i)).boxed().toList();
        if (!missing.isEmpty()) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, "segments " + missing + " of " + total
                    + " have no recorded completion");
        }
        Path dir = WorkFolders.create(workRoot, "reassembly-" + jobId);
        exchange.setProperty(MediaRuns.WORK_DIR, dir);
        List<String> lines = new ArrayList<>();
        double seconds = 0;
        boolean audio = false;
        for (int i = 0; i < total; i++) {
            Path segment = dir.resolve(String.format("%05d.mp4", i));
            String key = OutputKeys.segment(jobId, i);
            try {
                s3.getObject(r -> r.bucket(names.outputBucket()).key(key), segment);
            } catch (NoSuchKeyException gone) {
                throw new PermanentJobFailure(FailurePhase.REASSEMBLY, "segment output s3://" + names.outputBucket()
                        + "/" + key + " is recorded as complete but does not exist");
            }
            VideoProbe probe = probe(segment, dir, "segment " + i + " of " + total + ": its output s3://"
                    + names.outputBucket() + "/" + key);
            seconds += probe.durationSeconds();
            audio |= probe.hasAudio();
            lines.add("file '" + segment.toAbsolutePath() + "'");
        }
        exchange.setProperty(SEGMENTS_SECONDS, seconds);
        exchange.setProperty(SEGMENTS_AUDIO, audio);
        exchange.setProperty(SEGMENTS_TOTAL, total);
        Path list = dir.resolve("concat.txt");
        Files.write(list, lines, StandardCharsets.UTF_8);
        exchange.setProperty(MediaRuns.CONCAT_LIST, list);
        exchange.setProperty(MediaRuns.FINAL_FILE, dir.resolve("final.mp4"));
    }

    /**
     * The joined file must last as long as its segments together (within half a second) and keep their video
     * and audio; otherwise the job fails with what differs.
     */
    public File verify(Exchange exchange) throws IOException {
        Path dir = exchange.getProperty(MediaRuns.WORK_DIR, Path.class);
        Path joined = exchange.getProperty(MediaRuns.FINAL_FILE, Path.class);
        double expected = exchange.getProperty(SEGMENTS_SECONDS, Double.class);
        boolean audio = exchange.getProperty(SEGMENTS_AUDIO, Boolean.class);
        VideoProbe result = probe(joined, dir, "the joined video");
        if (Math.abs(result.durationSeconds() - expected) > DURATION_TOLERANCE_SECONDS) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, String.format(
                    "the joined video lasts %.2f s but its %d segments add up to %.2f s", result.durationSeconds(),
                    exchange.getProperty(SEGMENTS_TOTAL, Integer.class), expected));
        }
        if (audio && !result.hasAudio()) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, "the segments have audio but the joined video has none");
        }
        exchange.setProperty("finalDurationSeconds", result.durationSeconds());
        return joined.toFile();
    }

    public String finalKey(String jobId) {
        return OutputKeys.finalVideo(jobId);
    }

    /** Removes the work folder and releases the lock, whatever happened. */
    public void cleanup(Exchange exchange) {
        WorkFolders.remove(exchange.getProperty(MediaRuns.WORK_DIR, Path.class));
        String owner = exchange.getProperty(LOCK_OWNER, String.class);
        if (owner != null) {
            locks.release(exchange.getProperty("jobId", String.class), owner);
        }
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
    private VideoProbe probe(Path video, Path dir, String what) throws IOException {
        Path out = dir.resolve("probe-" + video.getFileName() + ".json");
        // ffprobe's JSON goes to stdout; with stderr quiet (-v error), the log is the JSON.
        ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), io.reelroute.media.MediaCommands.probe(video),
                PROBE_TIMEOUT, out);
        if (!result.succeeded()) {
            // The work folder's path means nothing to the person who reads the reason, nor does the empty JSON
            // document ffprobe prints beside its error.
            String detail = result.tail().replace(video.toAbsolutePath().toString(), video.getFileName().toString())
                    .replace(video.toString(), video.getFileName().toString())
                    .lines().map(String::strip).filter(line -> !line.isEmpty() && !line.equals("{") && !line.equals("}"))
                    .collect(java.util.stream.Collectors.joining("\n"));
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, what + " is not a readable video: " + detail);
        }
        try {
            return VideoProbe.parse(Files.readString(out), mapper);
        } catch (RuntimeException unreadable) {
            throw new PermanentJobFailure(FailurePhase.REASSEMBLY, what + ": " + unreadable.getMessage());
        }
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? "reelroute" : host;
    }
}
