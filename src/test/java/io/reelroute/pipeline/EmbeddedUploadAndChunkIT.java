package io.reelroute.pipeline;

import io.reelroute.testing.EmbeddedEmulators;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** The first two hops on the embedded default: ElasticMQ, DynamoDB Local and S3Mock in this JVM. */
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = "reelroute.mode=embedded")
class EmbeddedUploadAndChunkIT extends UploadAndChunkScenarios {

    @DynamicPropertySource
    static void embedded(DynamicPropertyRegistry registry) {
        EmbeddedEmulators.register(registry, EmbeddedEmulators.newDataDir());
    }
}
