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

/** A job's uploaded source, streamed from the input bucket to local disk for the hops that read it whole. */
@Component
public class JobSources {

    private final S3Client s3;
    private final String inputBucket;

    @Autowired
    public JobSources(S3Client s3, ReelRouteProperties properties) {
        this(s3, ResourceNames.fromPrefix(properties.prefix()).inputBucket());
    }

    public JobSources(S3Client s3, String inputBucket) {
        this.s3 = s3;
        this.inputBucket = inputBucket;
    }

    /** Where the source of {@code jobId} lies, as an {@code s3://} URI (for a service that reads it itself). */
    public String uri(String jobId) {
        return "s3://" + inputBucket + "/" + SourceKey.keyFor(jobId);
    }

    /**
     * Writes the source of {@code jobId} to {@code dir/source.mp4} and returns that path.
     *
     * @throws PermanentJobFailure when there is no source (phase upload) or it is empty (phase probe)
     */
    public Path download(String jobId, Path dir) throws IOException {
        Path source = dir.resolve("source.mp4");
        String key = SourceKey.keyFor(jobId);
        try {
            s3.getObject(r -> r.bucket(inputBucket).key(key), source);
        } catch (NoSuchKeyException gone) {
            throw new PermanentJobFailure(FailurePhase.UPLOAD, "the source object s3://" + inputBucket + "/" + key
                    + " does not exist");
        }
        if (Files.size(source) == 0) {
            throw new UnprocessableSourceException("the source is empty (0 bytes)");
        }
        return source;
    }
}
