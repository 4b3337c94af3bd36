package io.reelroute.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.HopRun;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.Inferred;
import io.reelroute.contract.InvalidKeyException;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.JobEndedException;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.PreviewClipKey;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.StereoParams;
import io.reelroute.media.WorkFolders;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * The inference hop's work on one segment: reads job, index and total from the segment key and the job's stereo
 * params from its record, runs the configured {@link InferenceBackend}, checks what the model made
 * ({@link SegmentCheck}, unless reelroute.inference.check-output is off), and leaves the result at
 * {@code jobs/{job_id}/segments/{index}.mp4} in the output bucket, tagged {@code {prefix}-lifecycle=expire-segments} so the bucket's lifecycle rule removes
 * it after a day. Local files pass through a folder of the run's own, removed when the run ends, whatever its outcome.
 * Every {@link InferenceBackend} bean can be named by a run; {@code reelroute.inference.backend} is the default
 * (routes/backend-work.camel.yaml's {@code backend} parameter), checked at start.
 */
@Component("inferenceWork")
public class InferenceWork {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceWork.class);

    private final S3Client s3;
    private final JobStore jobs;
    /** Null when reelroute.inference.check-output is off. */
    private final SegmentCheck check;
    private final String defaultDepthModel;
    private final Map<String, InferenceBackend> backends;
    private final ResourceNames names;
    private final Tag lifecycleTag;
    private final Path workRoot;
    private final Duration timeout;

    public InferenceWork(S3Client s3, JobStore jobs, SegmentCheck check, List<InferenceBackend> backends,
            ReelRouteProperties properties, @Value("${reelroute.stereo.depth-model}") String defaultDepthModel) {
        this.s3 = s3;
        this.jobs = jobs;
        this.check = properties.inference().checkOutput() ? check : null;
        this.defaultDepthModel = defaultDepthModel;
        this.backends = backends.stream().collect(Collectors.toUnmodifiableMap(InferenceBackend::name, Function.identity()));
        this.names = ResourceNames.fromPrefix(properties.prefix());
        this.lifecycleTag = Tag.builder().key(properties.prefix() + "-lifecycle").value("expire-segments").build();
        this.workRoot = properties.media().workRoot();
        this.timeout = properties.inference().segmentTimeout();
        String configured = properties.inference().backend();
        if (!this.backends.containsKey(configured)) {
            throw new IllegalStateException("reelroute.inference.backend=" + configured + " is not a backend; choose one of "
                    + choices());
        }
        LOG.info("Inference backend: {}", configured);
    }

    /** @throws InvalidKeyException for an object outside the segment layout; such a message is dropped */
    public SegmentKey segment(S3ObjectRef object) {
        if (!names.inputBucket().equals(object.bucket())) {
            throw new InvalidKeyException("object is in bucket '" + object.bucket() + "', not the input bucket '"
                    + names.inputBucket() + "': " + object.key());
        }
        return SegmentKey.parse(object.key());
    }

    /**
     * Runs the backend named {@code backendName} on the segment and leaves its output in the output bucket.
     *
     * @param run the inference hop's run on this segment (null if unknown), handed on with the result
     * @throws IllegalStateException if no backend has that name (a setting to correct, not the job's fault)
     */
    public Inferred run(SegmentKey segment, String backendName, HopRun run) throws IOException {
        InferenceBackend backend = backend(backendName);
        Job job = jobs.find(segment.jobId()).orElseThrow(() -> new PermanentJobFailure(FailurePhase.INFERENCE,
                segment.describe() + ": job " + segment.jobId() + " does not exist"));
        String what = segment.describe();
        // A failed or deleted job's segments are not sent to the model; a retry looks again, so one stops early.
        JobEndedException.requireLive(job, what);
        StereoParams params = StereoParams.of(job.params(), defaultDepthModel);
        Path dir = WorkFolders.create(workRoot, "inference-" + segment.jobId() + "-" + segment.index());
        SegmentWork work = new SegmentWork(segment, params, names.inputBucket(), names.outputBucket(),
                OutputKeys.segment(segment.jobId(), segment.index()), dir, timeout);
        Duration backendTime = run(backend, work, dir);
        removeIfEndedMeanwhile(segment.jobId(), work.outputKey(), what);
        return new Inferred(segment, work.outputKey(), backend.name(), backendTime, run);
    }

    /** @throws InvalidKeyException for an object outside the preview clip layout */
    public PreviewClipKey previewClip(S3ObjectRef object) {
        if (!names.inputBucket().equals(object.bucket())) {
            throw new InvalidKeyException("object is in bucket '" + object.bucket() + "', not the input bucket '"
                    + names.inputBucket() + "': " + object.key());
        }
        return PreviewClipKey.parse(object.key());
    }

    /**
     * Whether an object of the input bucket is a preview clip rather than a segment. A key that only looks like one
     * is not: it goes on as a segment, whose hop drops what is outside its layout.
     */
    public boolean isPreviewClip(S3ObjectRef object) {
        try {
            PreviewClipKey.parse(object.key());
            return true;
        } catch (InvalidKeyException malformed) {
            return false;
        }
    }

    /**
     * Runs the backend named {@code backendName} on a preview clip, with the params of the job's preview, and
     * returns the key of its output; null when the clip is not of the job's current preview (nothing to do).
     */
    public String runPreview(PreviewClipKey clip, String backendName) throws IOException {
        InferenceBackend backend = backend(backendName);
        Job job = jobs.find(clip.jobId()).orElse(null);
        Job.Preview preview = job == null ? null : job.preview();
        if (preview == null || !preview.previewId().equals(clip.previewId())) {
            return null;
        }
        JobEndedException.requireLive(job, "preview clip " + clip.index());
        StereoParams params = StereoParams.of(preview.params(), defaultDepthModel);
        Path dir = WorkFolders.create(workRoot, "preview-" + clip.jobId() + "-" + clip.index());
        SegmentWork work = new SegmentWork(new SegmentKey(clip.jobId(), clip.index(), params.format().mode()),
                params, names.inputBucket(), names.outputBucket(), clip.outputKey(), dir, timeout, clip.key(), true);
        run(backend, work, dir);
        removeIfEndedMeanwhile(clip.jobId(), work.outputKey(), "preview clip " + clip.index());
        return work.outputKey();
    }

    /**
     * A job deleted or failed while its model ran: the output just written is removed again (the purge that ran at
     * deletion could not see it; a job that failed in chunking leaves nothing behind), and the message is dropped.
     */
    private void removeIfEndedMeanwhile(String jobId, String outputKey, String what) {
        Job now = jobs.find(jobId).orElse(null);
        if (now == null || now.deletedAt() != null || now.status() == JobStatus.FAILED) {
            s3.deleteObject(r -> r.bucket(names.outputBucket()).key(outputKey));
            throw new JobEndedException(what + ": job " + jobId + " was " + (now != null && now.deletedAt() == null
                    ? "failed" : "deleted") + " while its model ran; its output is removed");
        }
    }

    /** The backend's run, the check of its output and the output's upload; the work folder is removed after. */
    private Duration run(InferenceBackend backend, SegmentWork work, Path dir) throws IOException {
        Duration backendTime;
        try {
            if (backend.worksInS3()) {
                backendTime = infer(backend, work);
                tagOutput(backend, work);
                if (check != null) {
                    // The model read and wrote S3 itself: both come here to be checked.
                    download(work);
                    s3.getObject(r -> r.bucket(work.outputBucket()).key(work.outputKey()), work.outputFile());
                    check.check(work);
                }
            } else {
                download(work);
                backendTime = infer(backend, work);
                if (check != null) {
                    check.check(work);
                }
                s3.putObject(r -> r.bucket(work.outputBucket()).key(work.outputKey()).contentType("video/mp4")
                        .tagging(Tagging.builder().tagSet(lifecycleTag).build()), RequestBody.fromFile(work.outputFile()));
            }
        } finally {
            WorkFolders.remove(dir);
        }
        return backendTime;
    }

    /** Runs the backend; returns the time it took, the model's own share of the hop. */
    private static Duration infer(InferenceBackend backend, SegmentWork work) {
        long started = System.nanoTime();
        backend.infer(work);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private void download(SegmentWork work) {
        try {
            s3.getObject(r -> r.bucket(work.inputBucket()).key(work.inputKey()), work.inputFile());
        } catch (NoSuchKeyException gone) {
            throw new PermanentJobFailure(FailurePhase.INFERENCE, work.describe() + ": the segment object "
                    + work.s3InputUri() + " does not exist");
        }
    }

    /** A backend that writes to S3 itself: its output must be there; then it gets the lifecycle tag. */
    private void tagOutput(InferenceBackend backend, SegmentWork work) {
        try {
            s3.putObjectTagging(r -> r.bucket(work.outputBucket()).key(work.outputKey())
                    .tagging(Tagging.builder().tagSet(lifecycleTag).build()));
        } catch (NoSuchKeyException missing) {
            throw new InferenceFailure(work.describe() + ": the " + backend.name() + " backend reported success but "
                    + work.s3OutputUri() + " does not exist");
        }
    }

    private InferenceBackend backend(String name) {
        InferenceBackend backend = backends.get(name);
        if (backend == null) {
            throw new IllegalStateException("inference backend '" + name + "' is not a backend; choose one of " + choices());
        }
        return backend;
    }

    private String choices() {
        return backends.keySet().stream().sorted().collect(Collectors.joining(", "));
    }
}
