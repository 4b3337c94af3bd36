package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.component.aws2.sqs.Sqs2Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.aws.SqsAttributeHeaders;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.JobStatus;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;

/**
 * What an operator sees of a running pipeline: liveness and readiness probes (the AWS services included),
 * per-hop metrics on /actuator/prometheus of the management port (never the API's), and the job id on every log
 * line of a job's work.
 */
@EmbeddedDefaultTest
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {
    "reelroute.chunking.segment-seconds=4",
    "reelroute.media.work-dir=target/test-work-operations",
    "reelroute.sqs.visibility-timeout-seconds=30",
    "reelroute.sqs.visibility-timeout.video-worker=45",
})
class OperationsIT extends RouteTestSupport {

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Autowired
    CamelContext camel;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void probesMetricsAndLogsTellWhatTheJobsAreDoing(CapturedOutput output) throws Exception {
        String jobId = startJob("stereo", "{\"format\": \"full-sbs\"}", TestVideos.clip(8, 320, 240, true));
        awaitStatus(jobId, JobStatus.COMPLETED);

        // The probes on the API's port: the status, nothing more.
        for (String probe : new String[] {"/livez", "/readyz"}) {
            HttpResponse<String> answer = get(port, probe);
            assertThat(answer.statusCode()).as(probe + ": " + answer.body()).isEqualTo(200);
            assertThat(mapper.readTree(answer.body()).get("status").asText()).isEqualTo("UP");
            assertThat(mapper.readTree(answer.body()).has("components")).as(answer.body()).isFalse();
        }
        // The actuator is on the management port only: with authentication off every caller is the local user,
        // who sees what readiness is made of.
        assertThat(get(port, "/actuator/health").statusCode()).isEqualTo(404);
        assertThat(get(managementPort, "/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = get(managementPort, "/actuator/health/readiness");
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        JsonNode components = mapper.readTree(readiness.body()).get("components");
        assertThat(components.get("aws").get("status").asText()).isEqualTo("UP");
        assertThat(components.get("aws").get("details").get("dynamodb").asText()).isEqualTo("UP");
        assertThat(components.has("camelHealth")).isTrue();

        // Camel's per-route exchanges (processed, failed) and durations, and the pipeline's own counters, on the
        // management port, never the API's. The reassembly exchange ends just after the job is marked completed.
        assertThat(get(port, "/actuator/prometheus").statusCode()).isEqualTo(404);
        String metrics = await().atMost(Duration.ofSeconds(20)).until(() -> get(managementPort, "/actuator/prometheus").body(),
                body -> body.contains("camel_route_policy_seconds_count{camelContext=\"reelroute\",eventType=\"route\",kind=\"CamelRoute\",routeId=\"reassembly\"} 1"));
        assertThat(metrics).contains("camel_exchanges_total{camelContext=\"reelroute\",eventType=\"route\",kind=\"CamelRoute\",routeId=\"inference\"} 2.0");
        assertThat(metrics).containsPattern("camel_exchanges_failed_total\\{[^}]*routeId=\"chunk\"} 0.0");
        assertThat(metrics).containsPattern("reelroute_segments_inferred_total\\{[^}]*} 2.0");

        // Where the job's time went: GET /jobs/{id} has every hop it ran, each started before it finished, the first
        // hop off each queue with its message's wait, and one entry per segment; the hops' and queues' histograms
        // are on the management port.
        awaitHls(jobId, HlsStatus.READY);
        JsonNode timeline = mapper.readTree(get(port, "/jobs/" + jobId).body()).get("timeline");
        List<String> hops = new ArrayList<>();
        for (JsonNode hop : timeline.get("hops")) {
            hops.add(hop.get("hop").asText());
            Instant started = Instant.parse(hop.get("started_at").asText());
            Instant finished = Instant.parse(hop.get("finished_at").asText());
            assertThat(started).as(hop.toString()).isBeforeOrEqualTo(finished);
            if (!hop.get("hop").asText().equals("completion")) {
                assertThat(hop.get("queue_wait_ms").asLong()).as(hop.toString()).isNotNegative();
            } else {
                assertThat(hop.get("queue_wait_ms").isNull()).as("it runs on the segment's message").isTrue();
            }
        }
        assertThat(hops).containsExactly("chunk", "completion", "reassembly", "packaging");
        assertThat(timeline.get("segments")).hasSize(2);
        for (int index = 0; index < 2; index++) {
            JsonNode segment = timeline.get("segments").get(index);
            assertThat(segment.get("index").asInt()).isEqualTo(index);
            assertThat(Instant.parse(segment.get("started_at").asText())).isBeforeOrEqualTo(Instant.parse(segment.get("finished_at").asText()));
            assertThat(segment.get("queue_wait_ms").asLong()).isNotNegative();
            assertThat(segment.get("attempts").asInt()).isEqualTo(1);
        }
        assertThat(timeline.get("segments_next").isNull()).isTrue();
        String histograms = get(managementPort, "/actuator/prometheus").body();
        for (String hop : new String[] {"chunk", "inference", "completion", "reassembly", "packaging"}) {
            assertThat(histograms).containsPattern("reelroute_hop_duration_seconds_bucket\\{[^}]*hop=\"" + hop + "\"[^}]*le=\"");
        }
        for (String queue : new String[] {"chunking", "video-worker", "reassembly", "transcode-events"}) {
            assertThat(histograms).containsPattern("reelroute_queue_wait_seconds_bucket\\{[^}]*queue=\"" + queue + "\"[^}]*le=\"");
        }

        // The job's work logs with its id: the chunk, inference and reassembly hops all do.
        long tagged = output.getAll().lines().filter(line -> line.contains("[" + jobId + "]")).count();
        assertThat(tagged).as(output.getAll()).isGreaterThanOrEqualTo(3);
        assertThat(output.getAll().lines().filter(line -> line.contains("[" + jobId + "]"))
                .anyMatch(line -> line.contains("reassembl"))).isTrue();
    }

    @Test
    void eachQueueHasItsOwnVisibilityTimeoutDefaultingToTheCommonOne() {
        assertThat(visibilityTimeout("inference")).isEqualTo(45);
        assertThat(visibilityTimeout("upload-event")).isEqualTo(30);
        assertThat(visibilityTimeout("reassembly")).isEqualTo(30);
    }

    /** Every SQS endpoint of the application drops message attributes named like Camel's headers (SqsAttributeHeaders). */
    @Test
    void everyQueueEndpointKeepsForgedCamelHeadersOut() {
        List<Sqs2Endpoint> queues = camel.getEndpoints().stream().filter(Sqs2Endpoint.class::isInstance)
                .map(Sqs2Endpoint.class::cast).toList();
        assertThat(queues).extracting(e -> e.getConfiguration().getQueueName())
                .anyMatch(name -> name.endsWith("-chunking-dlq")).anyMatch(name -> name.endsWith("-reassembly"));
        assertThat(queues).allSatisfy(endpoint -> assertThat(endpoint.getHeaderFilterStrategy())
                .as(endpoint.getEndpointUri()).isInstanceOf(SqsAttributeHeaders.Filter.class));
    }

    private Integer visibilityTimeout(String routeId) {
        return ((Sqs2Endpoint) camel.getRoute(routeId).getEndpoint()).getConfiguration().getVisibilityTimeout();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
