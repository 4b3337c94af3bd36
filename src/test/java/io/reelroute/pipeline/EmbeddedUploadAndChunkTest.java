package io.reelroute.pipeline;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** The first two hops on the embedded default: ElasticMQ, DynamoDB Local and S3Mock in this JVM. */
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = "reelroute.mode=embedded")
class EmbeddedUploadAndChunkTest extends UploadAndChunkScenarios {

    @DynamicPropertySource
    static void embedded(DynamicPropertyRegistry registry) {
        registry.add("reelroute.embedded.data-dir", () -> newDataDir().toString());
        registry.add("reelroute.embedded.s3-port", () -> 0);
        registry.add("reelroute.embedded.sqs-port", () -> 0);
        registry.add("reelroute.embedded.dynamodb-port", () -> 0);
        registry.add("reelroute.embedded.inbox", () -> newDataDir().resolve("inbox").toString());
    }
}
