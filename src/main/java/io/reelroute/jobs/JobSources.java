package io.reelroute.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.media.UnprocessableSourceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** A job's uploaded source, streamed from the input bucket to local disk for the hops that read it whole. */
@Component
public class JobSources {

    private final S3Client s3;
    private final String inputBucket;
    private final SourceLimits limits;

    @Autowired
    public JobSources(S3Client s3, ReelRouteProperties properties, SourceLimits limits) {
        this(s3, ResourceNames.fromPrefix(properties.prefix()).inputBucket(), limits);
    }

    /** Sources of any size. */
    public JobSources(S3Client s3, String inputBucket) {
        this(s3, inputBucket, SourceLimits.none());
    }

    public JobSources(S3Client s3, String inputBucket, SourceLimits limits) {
        this.s3 = s3;
        this.inputBucket = inputBucket;
        this.limits = limits;
    }

    /** Where the source of {@code jobId} lies, as an {@code s3://} URI (for a service that reads it itself). */
    public String uri(String jobId) {
        return "s3://" + inputBucket + "/" + SourceKey.keyFor(jobId);
    }

    /**
     * Writes the source of {@code jobId} to {@code dir/source.mp4} and returns that path. Its size is checked
     * against {@code reelroute.limits.max-source-bytes} first (a HEAD request), so a source over it is never
     * downloaded.
     *
     * @throws PermanentJobFailure when there is no source (phase upload), or it is larger than the limit or empty
     *         (phase probe)
     */
    public Path download(String jobId, Path dir) throws IOException {
        Path source = dir.resolve("source.mp4");
        String key = SourceKey.keyFor(jobId);
        try {
            limits.checkSize(s3.headObject(r -> r.bucket(inputBucket).key(key)).contentLength());
            s3.getObject(r -> r.bucket(inputBucket).key(key), source);
        } catch (NoSuchKeyException gone) {
            throw missing(key);
        } catch (S3Exception refused) {
            // HEAD answers a missing object with a bare 404.
            if (refused.statusCode() == 404) {
                throw missing(key);
            }
            throw refused;
        }
        if (Files.size(source) == 0) {
            throw new UnprocessableSourceException("the source is empty (0 bytes)");
        }
        return source;
    }

    private PermanentJobFailure missing(String key) {
        return new PermanentJobFailure(FailurePhase.UPLOAD, "the source object s3://" + inputBucket + "/" + key
                + " does not exist");
    }
}
