package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * deploy/terraform/hls-packaging validates and passes its {@code terraform test} (mock AWS provider), offline,
 * with the provider mirror on this machine's image. Skipped, saying why, where terraform or the mirror is absent.
 */
class HlsPackagingTerraformIT {

    @Test
    void theModuleValidatesAndItsTestsPass() {
        Terraform terraform = Terraform.orSkip("HlsPackagingTerraformIT");
        try (Terraform.Copy module = terraform.copy(Terraform.HLS_PACKAGING)) {
            assertThat(module.run("validate", "-no-color")).contains("The configuration is valid");
            assertThat(module.run("test", "-no-color"))
                    .contains(Terraform.testRuns(Terraform.HLS_PACKAGING) + " passed, 0 failed");
        }
    }
}
