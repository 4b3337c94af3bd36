package io.reelroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.Hop;
import io.reelroute.contract.HopRun;
import io.reelroute.contract.Inferred;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ReassemblyMessage;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.Timeline.HopTime;
import io.reelroute.contract.Timeline.SegmentTime;
import io.reelroute.jobs.HopTimes;
import io.reelroute.jobs.JobFailures;
import io.reelroute.testing.HopContext;
import io.reelroute.testing.ProvisionedEmulators;
import io.reelroute.transcode.LifecycleEvents;

/**
 * The completion aggregation of the stereo pipeline (routes/pipelines/stereo/completion.camel.yaml: instances of
 * aggregate-completion and exactly-once-trigger) in a bare CamelContext, with its real stores on DynamoDB Local:
 * completions count once, and the reassembly message is sent once per job, whatever repeats.
 */
class CompletionHopTest {

    private static final ResourceNames NAMES = ProvisionedEmulators.NAMES;

    private static ProvisionedEmulators emulators;
    private static JobStore jobs;
    private static SegmentCompletionStore completions;

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        jobs = new JobStore(emulators.dynamoDb(), NAMES.jobsTable(), Clock.systemUTC());
        completions = new SegmentCompletionStore(emulators.dynamoDb(), NAMES, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        emulators.close();
    }

    @Test
    void completionsCountOnceAndReassemblyIsTriggeredOncePerJob() throws Exception {
        try (HopContext hop = context()) {
            MockEndpoint reassembly = hop.mock("mock:reassembly");
            ProducerTemplate send = hop.producer();
            String jobId = JobIds.newId();
            jobs.createIfAbsent(jobId, Mode.SBS);

            send.sendBody("direct:record-completion", done(jobId, 0));
            send.sendBody("direct:record-completion", done(jobId, 1));
            assertThat(reassembly.getReceivedCounter()).as("chunking is not recorded yet").isZero();
            // Segments finished before chunking was recorded: chunking's own check triggers.
            jobs.chunkingComplete(jobId, 2);
            send.sendBodyAndProperty("direct:reassembly-check", null, "jobId", jobId);
            // Redeliveries of a completion and of chunking's check.
            send.sendBody("direct:record-completion", done(jobId, 1));
            send.sendBodyAndProperty("direct:reassembly-check", null, "jobId", jobId);

            assertThat(reassembly.getReceivedCounter()).isEqualTo(1);
            String message = reassembly.getExchanges().get(0).getMessage().getBody(String.class);
            assertThat(ReassemblyMessage.jobId(message, new ObjectMapper())).isEqualTo(jobId);
            assertThat(completions.completedIndices(jobId)).containsExactly(0, 1);
            assertThat(jobs.find(jobId).orElseThrow().completedSegments()).isEqualTo(2);
            assertThat(hop.counted("reelroute.completions.duplicate")).isEqualTo(1);
            assertThat(hop.counted("reelroute.reassembly.triggered")).isEqualTo(1);
            assertThat(hop.camel().getRoute("record-completion").getGroup()).isEqualTo("completion");
            assertThat(hop.camel().getRoute("reassembly-check").getGroup()).isEqualTo("completion");
        }
    }

    @Test
    void theLastCompletionTriggersOnceChunkingIsRecordedAndACompletionOfNoJobIsDropped() throws Exception {
        try (HopContext hop = context()) {
            MockEndpoint reassembly = hop.mock("mock:reassembly");
            ProducerTemplate send = hop.producer();
            String jobId = JobIds.newId();
            jobs.createIfAbsent(jobId, Mode.ANAGLYPH);
            jobs.chunkingComplete(jobId, 2);

            send.sendBody("direct:record-completion", done(jobId, 1));
            assertThat(reassembly.getReceivedCounter()).isZero();
            send.sendBody("direct:record-completion", done(jobId, 0));
            assertThat(reassembly.getReceivedCounter()).isEqualTo(1);

            String stray = JobIds.newId();
            send.sendBody("direct:record-completion", done(stray, 0));
            assertThat(reassembly.getReceivedCounter()).isEqualTo(1);
            assertThat(hop.counted("reelroute.messages.dropped", "hop", "completion", "reason", "no-such-job"))
                    .isEqualTo(1);
            assertThat(completions.completedIndices(stray)).isEmpty();

            // The timeline: each segment's inference run is kept with its completion; the completion hop that
            // triggered is kept on the job and timed, as every hop's route is.
            assertThat(completions.segmentTimes(jobId, 0, 10).items())
                    .extracting(SegmentTime::index, SegmentTime::startedAt, SegmentTime::queueWaitMs, SegmentTime::attempts)
                    .containsExactly(tuple(0, STARTED, 30L, 1), tuple(1, STARTED.plusSeconds(1), 30L, 1));
            HopTime completion = jobs.find(jobId).orElseThrow().hops().get(0);
            assertThat(completion.hop()).isEqualTo(Hop.COMPLETION);
            assertThat(completion.startedAt()).isBeforeOrEqualTo(completion.finishedAt());
            assertThat(completion.queueWaitMs()).as("it ran on the inference hop's message").isNull();
            assertThat(hop.meters().find("reelroute.hop.duration").tag("hop", "completion").timer().count()).isEqualTo(3);
        }
    }

    private static final Instant STARTED = Instant.parse("2026-11-23T10:00:00Z");

    private static Inferred done(String jobId, int index) {
        return new Inferred(new SegmentKey(jobId, index, Mode.SBS), "jobs/" + jobId + "/segments/" + index + ".mp4",
                "exec", Duration.ofMillis(1500), new HopRun(Hop.INFERENCE, STARTED.plusSeconds(index), Duration.ofMillis(30), 1));
    }

    private static HopContext context() throws Exception {
        HopContext hop = HopContext.with(Map.of(
                "reelroute.prefix", "reelroute",
                "reelroute.queue-url.reassembly", "http://sqs/reassembly",
                "reelroute.retries", "0",
                "reelroute.retry-delay-ms", "1"));
        hop.bind("jobStore", jobs)
                .bind("segmentCompletions", completions)
                .bind("reassemblyTriggered", new DynamoDbIdempotentRepository(emulators.dynamoDb(),
                        NAMES.reassemblyTriggeredTable(), Duration.ofSeconds(60), Duration.ofDays(7)))
                .bind("jobFailures", new JobFailures(jobs, new LifecycleEvents(jobs, hop.producer(), hop.meters(), new com.fasterxml.jackson.databind.ObjectMapper(), false)));
        hop.camel().addRoutePolicyFactory(new HopTimes(hop.meters(), "reelroute", Clock.systemUTC()));
        for (String file : new String[] {"error-policy.camel.yaml", "aggregate-completion.camel.yaml",
                "exactly-once-trigger.camel.yaml", "completion.camel.yaml"}) {
            hop.load(file);
        }
        return hop.advice("reassembly-check", route -> route.weaveByToUri("aws2-sqs:*").replace().to("mock:reassembly"))
                .start();
    }
}
