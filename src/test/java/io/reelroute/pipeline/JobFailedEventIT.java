package io.reelroute.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.LifecycleEvent;
import io.reelroute.contract.Mode;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.ResourceNames;
import io.reelroute.jobs.JobFailures;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;

/**
 * The "ReelRoute Job Failed" event on the embedded default with lifecycle events on, EventBridge played by a stand-in
 * for its API (no emulator here has it): an entry EventBridge rejects (a 200 answer with FailedEntryCount 1, which
 * the SDK does not retry) is published again, through the transcode-events queue, and arrives; a request that
 * never goes through reaches its dead-letter queue, where it is kept and counted, the job left as it ended.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.events.enabled=true",
    "reelroute.retry-delay-ms=200",
    "reelroute.sqs.visibility-timeout-seconds=2",
})
class JobFailedEventIT extends RouteTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TARGET = "AWSEvents.PutEvents";
    private static final WireMockServer EVENTBRIDGE = new WireMockServer(
            WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

    @Autowired
    JobFailures failures;

    @DynamicPropertySource
    static void eventBridge(DynamicPropertyRegistry registry) {
        if (!EVENTBRIDGE.isRunning()) {
            EVENTBRIDGE.start();
        }
        registry.add("reelroute.events.endpoint", () -> "http://127.0.0.1:" + EVENTBRIDGE.port());
    }

    @AfterAll
    static void stop() {
        EVENTBRIDGE.stop();
    }

    @BeforeEach
    void reset() {
        EVENTBRIDGE.resetAll();
    }

    @Test
    void aFailureEventEventBridgeRejectsOnceIsPublishedAgainAndArrives() throws Exception {
        EVENTBRIDGE.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET)).inScenario("flaky")
                .whenScenarioStateIs(STARTED).willSetStateTo("recovered")
                .willReturn(answer("{\"FailedEntryCount\":1,\"Entries\":[{\"ErrorCode\":\"InternalFailure\","
                        + "\"ErrorMessage\":\"Internal error, try again\"}]}")));
        EVENTBRIDGE.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET)).inScenario("flaky")
                .whenScenarioStateIs("recovered")
                .willReturn(answer("{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"11710aed-b79e-4468-a20b-bb3c0c3b4860\"}]}")));
        String jobId = failedJob();

        List<LoggedRequest> puts = await().atMost(PATIENCE).until(() -> EVENTBRIDGE.findAll(
                postRequestedFor(urlEqualTo("/")).withRequestBody(containing(jobId))), requests -> requests.size() >= 2);

        assertThat(puts).hasSize(2);
        JsonNode entry = MAPPER.readTree(puts.get(1).getBodyAsString()).path("Entries").path(0);
        assertThat(entry.path("DetailType").asText()).isEqualTo(LifecycleEvent.FAILED);
        JsonNode detail = MAPPER.readTree(entry.path("Detail").asText());
        assertThat(detail.path("job_id").asText()).isEqualTo(jobId);
        assertThat(detail.path("status").asText()).isEqualTo("failed");
        assertThat(detail.path("failure_reason").asText()).isEqualTo("the source is not a decodable video: a test");
        awaitDrained(names().transcodeEventsQueue());
        assertThat(count("reelroute.events.published")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aFailureEventThatNeverGoesThroughIsKeptAndCountedAsADeadLetter() throws Exception {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        // What SQS moves to the DLQ after the last delivery of a request EventBridge kept refusing.
        send(ResourceNames.dlq(names().transcodeEventsQueue()), LifecycleEvent.failed(jobId).request(MAPPER));

        await().atMost(PATIENCE).until(() -> count("reelroute.messages.dead_lettered", "queue", "transcode-events",
                "outcome", "EVENT_NOT_PUBLISHED") >= 1);
        assertThat(s3.listObjectsV2(r -> r.bucket(names().outputBucket()).prefix("dead-letters/transcode-events/" + jobId + "/"))
                .contents()).hasSize(1);
        assertThat(jobs.find(jobId).orElseThrow().hls()).as("not taken for a packaging failure").isNull();
    }

    private String failedJob() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        failures.fail(jobId, new PermanentJobFailure(FailurePhase.PROBE, "the source is not a decodable video: a test"));
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        return jobId;
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body);
    }
}
