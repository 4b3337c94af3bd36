package io.reelroute.pipeline;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.reelroute.testing.AwsCompatibleEndpoint;
import io.reelroute.testing.AwsContainer;

/** The first two hops against LocalStack or Floci in a container (AWS mode), where a Docker engine runs. */
class ContainerUploadAndChunkTest extends UploadAndChunkScenarios {

    @RegisterExtension
    static final AwsContainer EMULATOR = new AwsContainer();

    @BeforeAll
    static void provision() {
        AwsCompatibleEndpoint.provision(EMULATOR.endpoint());
    }

    @DynamicPropertySource
    static void endpoint(DynamicPropertyRegistry registry) {
        registry.add("reelroute.mode", () -> "aws");
        registry.add("reelroute.aws.endpoint", () -> EMULATOR.endpoint().toString());
    }
}
