package io.reelroute.pipeline;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.testing.AwsCompatibleEndpoint;
import io.reelroute.testing.AwsContainer;

/** The first two hops against LocalStack or Floci in a container (AWS mode), where a Docker engine runs. */
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = {"reelroute.mode=aws", "reelroute.api.auth.enabled=false"})
class ContainerUploadAndChunkIT extends UploadAndChunkScenarios {

    @RegisterExtension
    static final AwsContainer EMULATOR = new AwsContainer();

    @BeforeAll
    static void provision() {
        AwsCompatibleEndpoint.provision(EMULATOR.endpoint());
    }

    @DynamicPropertySource
    static void endpoint(DynamicPropertyRegistry registry) {
        registry.add("reelroute.aws.endpoint", () -> EMULATOR.endpoint().toString());
    }
}
