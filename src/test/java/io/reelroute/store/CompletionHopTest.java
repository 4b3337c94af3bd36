package io.reelroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reelroute.testing.HopContext;
import io.reelroute.contract.Inferred;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ReassemblyMessage;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.jobs.JobFailures;
import io.reelroute.testing.ProvisionedEmulators;
import io.reelroute.transcode.LifecycleEvents;

/**
 * The completion aggregation of the stereo pipeline (routes/completion.camel.yaml: instances of
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
        try (CamelContext camel = context()) {
            MeterRegistry meters = camel.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            camel.start();
            MockEndpoint reassembly = camel.getEndpoint("mock:reassembly", MockEndpoint.class);
            ProducerTemplate send = camel.createProducerTemplate();
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
            assertThat(count(meters, "reelroute.completions.duplicate")).isEqualTo(1);
            assertThat(count(meters, "reelroute.reassembly.triggered")).isEqualTo(1);
            assertThat(camel.getRoute("record-completion").getGroup()).isEqualTo("completion");
            assertThat(camel.getRoute("reassembly-check").getGroup()).isEqualTo("completion");
        }
    }

    @Test
    void theLastCompletionTriggersOnceChunkingIsRecordedAndACompletionOfNoJobIsDropped() throws Exception {
        try (CamelContext camel = context()) {
            MeterRegistry meters = camel.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            camel.start();
            MockEndpoint reassembly = camel.getEndpoint("mock:reassembly", MockEndpoint.class);
            ProducerTemplate send = camel.createProducerTemplate();
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
            assertThat(count(meters, "reelroute.messages.dropped", "hop", "completion", "reason", "no-such-job"))
                    .isEqualTo(1);
            assertThat(completions.completedIndices(stray)).isEmpty();
        }
    }

    private static double count(MeterRegistry meters, String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Inferred done(String jobId, int index) {
        return new Inferred(new SegmentKey(jobId, index, 2, Mode.SBS), "jobs/" + jobId + "/segments/" + index + ".mp4",
                "exec", Duration.ofMillis(1500));
    }

    private static CamelContext context() throws Exception {
        CamelContext camel = new DefaultCamelContext();
        Properties settings = new Properties();
        settings.putAll(Map.of(
                "reelroute.prefix", "reelroute",
                "reelroute.queue-url.reassembly", "http://sqs/reassembly",
                "reelroute.retries", "0",
                "reelroute.retry-delay-ms", "1"));
        camel.getPropertiesComponent().setInitialProperties(settings);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        camel.getRegistry().bind("metricsRegistry", meters);
        camel.getRegistry().bind("jobStore", jobs);
        camel.getRegistry().bind("segmentCompletions", completions);
        camel.getRegistry().bind("reassemblyTriggered", new DynamoDbIdempotentRepository(emulators.dynamoDb(),
                NAMES.reassemblyTriggeredTable(), Duration.ofSeconds(60), Duration.ofDays(7)));
        camel.getRegistry().bind("jobFailures", new JobFailures(jobs,
                new LifecycleEvents(jobs, camel.createProducerTemplate(), meters)));
        for (String file : new String[] {"error-policy.camel.yaml", "aggregate-completion.camel.yaml",
                "exactly-once-trigger.camel.yaml", "completion.camel.yaml"}) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString(file, Files.readString(HopContext.routeFile(file))));
        }
        AdviceWith.adviceWith(camel, "reassembly-check",
                route -> route.weaveByToUri("aws2-sqs:*").replace().to("mock:reassembly"));
        return camel;
    }
}
