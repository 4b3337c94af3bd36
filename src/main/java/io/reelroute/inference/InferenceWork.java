package io.reelroute.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InvalidKeyException;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.media.WorkFolders;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * The inference hop's work on one segment: reads job, index, total and mode from the segment key, runs the
 * configured {@link InferenceBackend}, and leaves the result at {@code jobs/{job_id}/segments/{index}.mp4} in
 * the output bucket, tagged {@code {prefix}-lifecycle=expire-segments} so the bucket's lifecycle rule removes
 * it after a day. Local files pass through a folder of the run's own, removed when the run ends, whatever its outcome.
 */
@Component("inferenceWork")
public class InferenceWork {

    public static final String SEGMENT = "segment";

    private static final Logger LOG = LoggerFactory.getLogger(InferenceWork.class);

    private final S3Client s3;
    private final InferenceBackend backend;
    private final ResourceNames names;
    private final Tag lifecycleTag;
    private final Path workRoot;
    private final Duration timeout;

    public InferenceWork(S3Client s3, List<InferenceBackend> backends, ReelRouteProperties properties) {
        this.s3 = s3;
        this.backend = choose(backends, properties.inference().backend());
        this.names = ResourceNames.fromPrefix(properties.prefix());
        this.lifecycleTag = Tag.builder().key(properties.prefix() + "-lifecycle").value("expire-segments").build();
        this.workRoot = properties.media().workRoot();
        this.timeout = properties.inference().segmentTimeout();
        LOG.info("Inference backend: {}", backend.name());
    }

    /** @throws InvalidKeyException for an object outside the segment layout; such a message is dropped */
    public SegmentKey segment(S3ObjectRef object) {
        if (!names.inputBucket().equals(object.bucket())) {
            throw new InvalidKeyException("object is in bucket '" + object.bucket() + "', not the input bucket '"
                    + names.inputBucket() + "': " + object.key());
        }
        return SegmentKey.parse(object.key());
    }

    /** Runs the backend on the segment of the exchange property {@code segment}; returns the output key. */
    public String run(Exchange exchange) throws IOException {
        SegmentKey segment = exchange.getProperty(SEGMENT, SegmentKey.class);
        Path dir = WorkFolders.create(workRoot, "inference-" + segment.jobId() + "-" + segment.index());
        SegmentWork work = new SegmentWork(segment, names.inputBucket(), names.outputBucket(),
                OutputKeys.segment(segment.jobId(), segment.index()), dir, timeout);
        try {
            if (backend.worksInS3()) {
                infer(work, exchange);
                tagOutput(work);
            } else {
                download(work);
                infer(work, exchange);
                s3.putObject(r -> r.bucket(work.outputBucket()).key(work.outputKey()).contentType("video/mp4")
                        .tagging(Tagging.builder().tagSet(lifecycleTag).build()), RequestBody.fromFile(work.outputFile()));
            }
        } finally {
            WorkFolders.remove(dir);
        }
        return work.outputKey();
    }

    /** Runs the backend; its own time goes to the exchange property {@code inferenceSeconds} for the log. */
    private void infer(SegmentWork work, Exchange exchange) {
        long started = System.nanoTime();
        backend.infer(work);
        exchange.setProperty("inferenceSeconds", String.format("%.2f", (System.nanoTime() - started) / 1e9));
    }

    private void download(SegmentWork work) {
        try {
            s3.getObject(r -> r.bucket(work.inputBucket()).key(work.segment().key()), work.inputFile());
        } catch (NoSuchKeyException gone) {
            throw new PermanentJobFailure(FailurePhase.INFERENCE, work.describe() + ": the segment object "
                    + work.s3InputUri() + " does not exist");
        }
    }

    /** A backend that writes to S3 itself: its output must be there; then it gets the lifecycle tag. */
    private void tagOutput(SegmentWork work) {
        try {
            s3.putObjectTagging(r -> r.bucket(work.outputBucket()).key(work.outputKey())
                    .tagging(Tagging.builder().tagSet(lifecycleTag).build()));
        } catch (NoSuchKeyException missing) {
            throw new InferenceFailure(work.describe() + ": the " + backend.name() + " backend reported success but "
                    + work.s3OutputUri() + " does not exist");
        }
    }

    private static InferenceBackend choose(List<InferenceBackend> backends, String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("reelroute.inference.backend=" + name
                        + " is not a backend; choose one of " + backends.stream().map(InferenceBackend::name)
                                .sorted().collect(Collectors.joining(", "))));
    }
}
