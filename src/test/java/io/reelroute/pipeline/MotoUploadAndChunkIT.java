package io.reelroute.pipeline;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.testing.AwsCompatibleEndpoint;
import io.reelroute.testing.MotoServer;

/**
 * The first two hops against moto_server as an external AWS-compatible endpoint (AWS mode): moto delivers
 * the S3 notifications itself, so the embedded bridge is off and the input bucket has the notification
 * configuration AWS would have.
 */
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = {"reelroute.mode=aws", "reelroute.api.auth.enabled=false"})
class MotoUploadAndChunkIT extends UploadAndChunkScenarios {

    @RegisterExtension
    static final MotoServer MOTO = new MotoServer();

    @BeforeAll
    static void provision() {
        AwsCompatibleEndpoint.provision(MOTO.endpoint());
    }

    @DynamicPropertySource
    static void endpoint(DynamicPropertyRegistry registry) {
        registry.add("reelroute.aws.endpoint", () -> MOTO.endpoint().toString());
    }
}
