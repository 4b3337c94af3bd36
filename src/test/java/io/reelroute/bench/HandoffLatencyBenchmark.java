package io.reelroute.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeCreatedEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.reelroute.aws.AwsResources;
import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * P4: hand-off latency between hops on the embedded emulators, per path: from a message being sent to a queue
 * the pipeline uses (or an object being written under a notified prefix of the input bucket) until the route
 * that consumes it creates its exchange. Not part of {@code ./mvnw verify}; run:
 * <pre>./mvnw test -Dtest=HandoffLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.handoffs=200]</pre>
 * One hand-off at a time, after a random pause of up to 250 ms (so the sends don't keep step with the consumers'
 * polls), on the application's default settings (20 s long polls). The messages are ones each hop drops at once
 * (an S3 test event, a reassembly of an unknown job, an object outside the key layout), so the consumer's own work
 * stays out of the numbers. Prints p50, p95 and the maximum per path.
 */
class HandoffLatencyBenchmark {

    private static final int HANDOFFS = Integer.getInteger("bench.handoffs", 200);
    private static final int WARM_UP = 5;

    @Test
    void handoffLatency() throws Exception {
        try (ConfigurableApplicationContext app = BenchApplication.start()) {
            Receipts receipts = new Receipts();
            CamelContext camel = app.getBean(CamelContext.class);
            camel.getManagementStrategy().addEventNotifier(receipts);
            receipts.start();
            SqsClient sqs = app.getBean(SqsClient.class);
            S3Client s3 = app.getBean(S3Client.class);
            AwsResources resources = app.getBean(AwsResources.class);
            ResourceNames names = resources.names();
            Map<String, Hop> paths = new LinkedHashMap<>();
            paths.put("SQS chunking -> upload-event", new Hop("upload-event",
                    m -> send(sqs, resources.queueUrl(names.chunkingQueue()), testEvent(m))));
            paths.put("SQS video-worker -> inference", new Hop("inference",
                    m -> send(sqs, resources.queueUrl(names.videoWorkerQueue()), testEvent(m))));
            paths.put("SQS reassembly -> reassembly", new Hop("reassembly",
                    m -> send(sqs, resources.queueUrl(names.reassemblyQueue()), "{\"job_id\":\"" + m + "\"}")));
            paths.put("SQS transcode-events -> transcode-events", new Hop("transcode-events",
                    m -> send(sqs, resources.queueUrl(names.transcodeEventsQueue()), testEvent(m))));
            paths.put("S3 write input/ -> notification -> upload-event", new Hop("upload-event",
                    m -> s3.putObject(r -> r.bucket(names.inputBucket()).key("input/" + m + ".txt"), RequestBody.fromString(m))));
            paths.put("S3 write segments/ -> notification -> inference", new Hop("inference",
                    m -> s3.putObject(r -> r.bucket(names.inputBucket()).key("segments/" + m + ".txt"), RequestBody.fromString(m))));

            Map<String, String> lines = new LinkedHashMap<>();
            for (Map.Entry<String, Hop> path : paths.entrySet()) {
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < WARM_UP + HANDOFFS; i++) {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(250));
                    double latency = receipts.handOff(path.getValue());
                    if (i >= WARM_UP) {
                        millis.add(latency);
                    }
                }
                millis.sort(null);
                lines.put(path.getKey(), String.format("p50 %.1f ms, p95 %.1f ms, max %.1f ms", percentile(millis, 50),
                        percentile(millis, 95), millis.get(millis.size() - 1)));
            }
            System.out.println();
            System.out.println("=== Hand-off latency, embedded emulators (" + HANDOFFS + " hand-offs a path, "
                    + Runtime.getRuntime().availableProcessors() + " cores) ===");
            lines.forEach((path, numbers) -> System.out.println(path + ": " + numbers));
            System.out.println();
        }
    }

    /** A way into a hop: what sends a message carrying a marker, and the route that must receive it. */
    private record Hop(String route, Consumer<String> send) {
    }

    /** Notes when the awaited route creates the exchange of the message carrying the awaited marker. */
    private static final class Receipts extends EventNotifierSupport {

        private volatile String route;
        private volatile String marker;
        private volatile long receivedAt;
        private volatile CountDownLatch received;

        /** Milliseconds from sending a new marker along {@code path} until its route received it. */
        double handOff(Hop path) throws InterruptedException {
            route = path.route();
            marker = UUID.randomUUID().toString();
            received = new CountDownLatch(1);
            long sent = System.nanoTime();
            path.send().accept(marker);
            if (!received.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("route " + route + " did not receive " + marker + " within 30 s");
            }
            return (receivedAt - sent) / 1e6;
        }

        @Override
        public boolean isEnabled(CamelEvent event) {
            return event instanceof ExchangeCreatedEvent;
        }

        @Override
        public void notify(CamelEvent event) {
            var exchange = ((ExchangeCreatedEvent) event).getExchange();
            long now = System.nanoTime();
            String body = exchange.getMessage().getBody() instanceof String text ? text : null;
            if (body != null && route.equals(exchange.getFromRouteId()) && body.contains(marker)) {
                receivedAt = now;
                received.countDown();
            }
        }
    }

    private static void send(SqsClient sqs, String queueUrl, String body) {
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
    }

    /** The s3:TestEvent S3 sends when notifications are configured, which every S3 event source acknowledges and drops. */
    private static String testEvent(String marker) {
        return "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2026-12-01T00:00:00.000Z\","
                + "\"Bucket\":\"reelroute-input\",\"RequestId\":\"" + marker + "\",\"HostId\":\"bench\"}";
    }

    private static double percentile(List<Double> sorted, int percent) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1));
    }
}
