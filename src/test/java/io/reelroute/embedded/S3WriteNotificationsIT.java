package io.reelroute.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.contract.JobIds;
import io.reelroute.contract.SourceKey;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * New objects are announced as S3Mock writes them: with the bridge's listing off, a put, a completed multipart
 * upload and a copy of a source each start a job within seconds.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "camel.main.route-filter-exclude-pattern=embedded-s3-notifications",
    "reelroute.media.work-dir=target/test-work-s3-writes",
})
class S3WriteNotificationsIT extends RouteTestSupport {

    static final Duration PROMPTLY = Duration.ofSeconds(20);

    @Test
    void aPutSourceStartsItsJob() {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), TestVideos.clip(2, 160, 120, true));
        awaitJob(jobId);
    }

    @Test
    void aSourceUploadedInPartsStartsItsJobOnceComplete() throws IOException {
        String jobId = JobIds.newId();
        String key = new SourceKey(jobId).key();
        byte[] video = Files.readAllBytes(TestVideos.clip(4, 320, 240, true));
        String bucket = names().inputBucket();
        String upload = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
        String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(upload).partNumber(1),
                RequestBody.fromBytes(video)).eTag();
        s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        awaitJob(jobId);
    }

    @Test
    void aCopiedSourceStartsItsJob() {
        String original = JobIds.newId();
        String copy = JobIds.newId();
        String bucket = names().inputBucket();
        // Outside the announced prefixes, so only the copy starts a job.
        upload("staging/" + original + ".mp4", TestVideos.clip(2, 160, 120, true));
        s3.copyObject(r -> r.sourceBucket(bucket).sourceKey("staging/" + original + ".mp4")
                .destinationBucket(bucket).destinationKey(new SourceKey(copy).key()));
        awaitJob(copy);
        assertThat(jobs.find(original)).isEmpty();
    }

    private void awaitJob(String jobId) {
        await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(100)).until(() -> jobs.find(jobId).isPresent());
    }
}
