package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.reelroute.contract.ResourceNames;

/**
 * deploy/terraform, the data plane's root module: it validates and passes its {@code terraform test} (mock AWS
 * provider), and what it creates agrees with the application: the queue names are ResourceNames', and no role
 * policy allows a wildcard action. Offline, with the provider mirror on this machine's image; skipped, saying
 * why, where terraform or the mirror is absent.
 */
class DataPlaneTerraformIT {

    private static final List<String> ROLES = List.of("api", "media", "inference", "transcode", "watchdog");

    @Test
    void theRootModuleValidatesAndItsTestsPass() {
        Terraform terraform = Terraform.orSkip("DataPlaneTerraformIT");
        int runs = Terraform.testRuns(Terraform.DATA_PLANE);
        assertThat(runs).isGreaterThanOrEqualTo(10);
        try (Terraform.Copy module = terraform.copy(Terraform.DATA_PLANE)) {
            assertThat(module.run("validate", "-no-color")).contains("The configuration is valid");
            assertThat(module.run("test", "-no-color")).contains(runs + " passed, 0 failed");
        }
    }

    @Test
    void theQueuesAreTheOnesResourceNamesDerives() {
        Terraform terraform = Terraform.orSkip("DataPlaneTerraformIT");
        ResourceNames names = ResourceNames.fromPrefix("reelroute");
        List<String> expected = new ArrayList<>();
        for (String queue : names.queues()) {
            expected.add(queue);
            expected.add(ResourceNames.dlq(queue));
        }

        assertThat(terraform.queueNames()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void noRolePolicyAllowsAWildcardAction() {
        Terraform terraform = Terraform.orSkip("DataPlaneTerraformIT");
        Map<String, JsonNode> policies = terraform.rolePolicies();

        assertThat(policies).containsOnlyKeys("api", "media", "inference", "transcode", "watchdog", "keda-scaler");
        policies.forEach((role, policy) -> {
            assertThat(policy.path("Statement")).as("statements of %s", role).isNotEmpty();
            for (JsonNode statement : policy.path("Statement")) {
                assertThat(statement.path("Effect").asText()).as("%s %s", role, statement).isEqualTo("Allow");
                assertThat(actions(statement)).as("actions of %s: %s", role, statement)
                        .isNotEmpty().allSatisfy(action -> assertThat(action).doesNotContain("*"));
            }
        });
    }

    @Test
    void everyRoleCanLookUpEveryQueueTheApplicationLooksUp() {
        Terraform terraform = Terraform.orSkip("DataPlaneTerraformIT");
        Map<String, JsonNode> policies = terraform.rolePolicies();
        List<String> queueArns = terraform.queueNames().stream()
                .map(name -> "arn:aws:sqs:us-east-1:111122223333:" + name).toList();

        for (String role : ROLES) {
            List<String> resources = new ArrayList<>();
            for (JsonNode statement : policies.get(role).path("Statement")) {
                if (actions(statement).contains("sqs:GetQueueUrl")) {
                    statement.path("Resource").forEach(resource -> resources.add(resource.asText()));
                }
            }
            assertThat(resources).as("GetQueueUrl of %s (AwsResources looks up every queue at start)", role)
                    .containsAll(queueArns);
        }
    }

    private static List<String> actions(JsonNode statement) {
        List<String> actions = new ArrayList<>();
        JsonNode action = statement.path("Action");
        if (action.isArray()) {
            action.forEach(a -> actions.add(a.asText()));
        } else if (action.isTextual()) {
            actions.add(action.asText());
        }
        return actions;
    }
}
