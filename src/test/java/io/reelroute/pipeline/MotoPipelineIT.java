package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.SourceKey;
import io.reelroute.testing.AwsCompatibleEndpoint;
import io.reelroute.testing.MotoServer;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The whole pipeline against moto_server (AWS mode): moto delivers the S3 notifications itself, runs the
 * DynamoDB transactions and conditional writes the aggregation relies on, and routes EventBridge events to
 * SQS through rules, both MediaConvert's job state changes (to the transcode-events hop) and ReelRoute's own
 * lifecycle events (to a subscriber's queue). HLS is packaged locally: moto has no MediaConvert.
 */
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = {"reelroute.mode=aws", "reelroute.transcode.packager=local", "reelroute.api.auth.enabled=false"})
class MotoPipelineIT extends PipelineScenarios {

    static final String SUBSCRIBER = "lifecycle-subscriber";

    @RegisterExtension
    static final MotoServer MOTO = new MotoServer();

    @Autowired
    EventBridgeClient eventBridge;

    @BeforeAll
    static void provision() {
        AwsCompatibleEndpoint.provision(MOTO.endpoint());
        AwsCompatibleEndpoint.mediaConvertEventRule(MOTO.endpoint());
        AwsCompatibleEndpoint.routeEvents(MOTO.endpoint(), "lifecycle-subscriber", "{\"source\":[\"io.reelroute\"]}", SUBSCRIBER);
    }

    @DynamicPropertySource
    static void endpoint(DynamicPropertyRegistry registry) {
        registry.add("reelroute.aws.endpoint", () -> MOTO.endpoint().toString());
        // One inference consumer: moto does not isolate concurrent TransactWriteItems on one item (measured: of 9
        // concurrent put-if-absent + ADD transactions, some report success while their ADD is lost), so concurrent
        // completions could be miscounted there. DynamoDB and DynamoDB Local are atomic, as
        // CompletionAndTriggerStoresTest shows with 16 threads.
        registry.add("reelroute.inference.concurrent-consumers", () -> 1);
    }

    @Test
    void aMediaConvertEventPutOnTheBusReachesTheJobThroughTheRule() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.complete(jobId);
        jobs.hlsSubmitted(jobId, "1763633700000-abc123");

        eventBridge.putEvents(r -> r.entries(e -> e.source("aws.mediaconvert").detailType("MediaConvert Job State Change")
                .resources("arn:aws:mediaconvert:us-east-1:111122223333:jobs/1763633700000-abc123")
                .detail("""
                        {"timestamp":1763633742000,"accountId":"111122223333","jobId":"1763633700000-abc123",
                         "queue":"arn:aws:mediaconvert:us-east-1:111122223333:queues/Default","status":"STATUS_UPDATE",
                         "userMetadata":{"job_id":"%s"},"framesDecoded":353,
                         "jobProgress":{"jobPercentComplete":42,"currentPhase":"TRANSCODING","retryCount":0}}
                        """.formatted(jobId))));

        Job.Hls hls = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElseThrow().hls(),
                h -> h.status() == HlsStatus.PROGRESSING);
        assertThat(hls.percent()).isEqualTo(42);
        assertThat(hls.mediaConvertJobId()).isEqualTo("1763633700000-abc123");
    }

    @Test
    void lifecycleEventsArePutOnTheBusForSubscribers() throws Exception {
        String jobId = JobIds.newId();
        String failing = JobIds.newId();
        upload(new SourceKey(jobId).key(), TestVideos.clip(8, 320, 240, true));
        upload(new SourceKey(failing).key(), "not a video".getBytes());

        awaitStatus(jobId, JobStatus.COMPLETED);
        awaitHls(jobId, HlsStatus.READY);
        awaitStatus(failing, JobStatus.FAILED);

        List<JsonNode> received = new ArrayList<>();
        String url = sqs.getQueueUrl(r -> r.queueName(SUBSCRIBER)).queueUrl();
        ObjectMapper mapper = new ObjectMapper();
        await().atMost(PATIENCE).until(() -> {
            for (Message message : sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                received.add(mapper.readTree(message.body()));
                sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(message.receiptHandle()));
            }
            return types(received, jobId).containsAll(List.of("ReelRoute Job Completed", "ReelRoute HLS Ready"))
                    && types(received, failing).contains("ReelRoute Job Failed");
        });
        JsonNode ready = received.stream().filter(e -> e.path("detail-type").asText().equals("ReelRoute HLS Ready")
                && e.path("detail").path("job_id").asText().equals(jobId)).findFirst().orElseThrow();
        assertThat(ready.path("source").asText()).isEqualTo("io.reelroute");
        assertThat(ready.path("detail").path("hls_master_key").asText()).isEqualTo("jobs/" + jobId + "/hls/master.m3u8");
        JsonNode failed = received.stream().filter(e -> e.path("detail").path("job_id").asText().equals(failing))
                .findFirst().orElseThrow();
        assertThat(failed.path("detail").path("failure_phase").asText()).isEqualTo("probe");
    }

    private static List<String> types(List<JsonNode> events, String jobId) {
        return events.stream().filter(e -> e.path("detail").path("job_id").asText().equals(jobId))
                .map(e -> e.path("detail-type").asText()).toList();
    }
}
