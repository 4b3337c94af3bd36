package io.reelroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.Tables;
import io.reelroute.testing.ProvisionedEmulators;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The reads of the watchdog and of an owner's in-progress listing and count cost the same with 0 and with 5,000
 * finished jobs in the table: they read sparse indexes that hold only the jobs still at work. Measured on DynamoDB
 * Local as items read (ScannedCount) and read capacity consumed, summed over every page of every request.
 */
class JobStoreScaleTest {

    private static final String TABLE = ProvisionedEmulators.NAMES.jobsTable();
    private static final String OWNER = "busy-owner";

    private static ProvisionedEmulators emulators;
    private static DynamoDbClient measured;
    private static final Reads READS = new Reads();

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        measured = DynamoDbClient.builder()
                .endpointOverride(emulators.dynamoDb().serviceClientConfiguration().endpointOverride().orElseThrow())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(READS))
                .build();
    }

    @AfterAll
    static void stop() {
        measured.close();
        emulators.close();
    }

    @Test
    void watchdogAndOwnerReadsDoNotGrowWithFinishedJobs() {
        Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));
        JobStore past = new JobStore(emulators.dynamoDb(), TABLE, Clock.fixed(anHourAgo, ZoneOffset.UTC));
        List<String> unfinished = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = JobIds.newId();
            past.createIfAbsent(id, Mode.SBS, OWNER, "running " + i);
            unfinished.add(id);
        }
        past.startChunking(unfinished.get(0));
        String deleted = JobIds.newId();
        past.createIfAbsent(deleted, Mode.SBS, OWNER, null);
        past.markDeleted(deleted);

        JobStore jobs = new JobStore(measured, TABLE, Clock.systemUTC());
        Measure empty = measure(jobs);
        assertThat(empty.unfinished()).containsExactlyInAnyOrderElementsOf(unfinished);
        assertThat(empty.stalled()).containsExactlyInAnyOrderElementsOf(unfinished);
        assertThat(empty.purges()).containsExactly(deleted);
        assertThat(empty.count()).isEqualTo(3);
        assertThat(empty.itemsRead()).as("the jobs at work, read").isPositive();

        writeFinishedJobs(past, 5_000);

        Measure full = measure(jobs);
        System.out.printf("JobStoreScaleTest: %d items, %.1f read units with no finished jobs; %d items, %.1f units with 5,000%n",
                empty.itemsRead(), empty.capacity(), full.itemsRead(), full.capacity());
        assertThat(full.unfinished()).containsExactlyInAnyOrderElementsOf(unfinished);
        assertThat(full.stalled()).containsExactlyInAnyOrderElementsOf(unfinished);
        assertThat(full.purges()).containsExactly(deleted);
        assertThat(full.count()).isEqualTo(3);
        assertThat(full.itemsRead()).as("items read with 5,000 finished jobs, against %s with none", empty.itemsRead())
                .isEqualTo(empty.itemsRead());
        assertThat(full.capacity()).as("read capacity with 5,000 finished jobs, against %s with none", empty.capacity())
                .isEqualTo(empty.capacity());
    }

    /** What a watchdog sweep and an owner's in-progress listing and count read. */
    private static Measure measure(JobStore jobs) {
        READS.reset();
        Instant now = Instant.now();
        List<String> stalled = jobs.unfinishedSince(now).stream().map(Job::jobId).toList();
        jobs.webhooksPendingSince(now);
        List<String> purges = jobs.purgesPendingSince(now).stream().map(Job::jobId).toList();
        jobs.releaseIdleWatches(now);
        List<String> listed = jobs.unfinishedOf(OWNER, 100, null).jobs().stream().map(Job::jobId).toList();
        long count = jobs.countUnfinishedOf(OWNER);
        return new Measure(stalled, purges, listed, count, READS.items.get(), READS.capacity.sum());
    }

    record Measure(List<String> stalled, List<String> purges, List<String> unfinished, long count, long itemsRead,
            double capacity) {
    }

    /**
     * {@code total} finished jobs of the owner (completed and packaged, failed, deleted and purged), each a copy of a
     * record this store wrote and ended, written 25 to a BatchWriteItem.
     */
    private static void writeFinishedJobs(JobStore store, int total) {
        List<Map<String, AttributeValue>> templates = new ArrayList<>();
        String completed = JobIds.newId();
        store.createIfAbsent(completed, Mode.SBS, OWNER, null);
        store.complete(completed);
        store.hlsSubmitted(completed, "mc");
        store.hlsReady(completed, "jobs/" + completed + "/hls/master.m3u8");
        String failed = JobIds.newId();
        store.createIfAbsent(failed, Mode.SBS, OWNER, null);
        store.fail(failed, FailurePhase.PROBE, "not a video");
        String purged = JobIds.newId();
        store.createIfAbsent(purged, Mode.SBS, OWNER, null);
        store.markDeleted(purged);
        store.purged(purged);
        for (String id : List.of(completed, failed, purged)) {
            Map<String, AttributeValue> item = emulators.dynamoDb().getItem(r -> r.tableName(TABLE).consistentRead(true)
                    .key(Map.of(Tables.JOB_ID, AttributeValue.fromS(id)))).item();
            assertThat(item).as("a finished job's record").doesNotContainKeys(Tables.WATCH, Tables.UNFINISHED_OWNER);
            templates.add(item);
        }
        List<WriteRequest> batch = new ArrayList<>();
        for (int i = 3; i < total; i++) {
            Map<String, AttributeValue> item = new HashMap<>(templates.get(i % templates.size()));
            item.put(Tables.JOB_ID, AttributeValue.fromS(JobIds.newId()));
            batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            if (batch.size() == 25 || i == total - 1) {
                write(batch);
                batch = new ArrayList<>();
            }
        }
        assertThat(emulators.dynamoDb().scanPaginator(r -> r.tableName(TABLE).select("COUNT")).stream()
                .mapToInt(page -> page.count()).sum()).as("records in the table").isGreaterThanOrEqualTo(total + 4);
    }

    private static void write(List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> pending = Map.of(TABLE, batch);
        while (!pending.isEmpty()) {
            Map<String, List<WriteRequest>> request = pending;
            pending = emulators.dynamoDb().batchWriteItem(r -> r.requestItems(request)).unprocessedItems();
        }
    }

    /** Asks every Query and Scan for its consumed capacity, and adds it up with the items each page read. */
    static final class Reads implements ExecutionInterceptor {
        final AtomicLong items = new AtomicLong();
        final DoubleAdder capacity = new DoubleAdder();

        void reset() {
            items.set(0);
            capacity.reset();
        }

        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            if (context.request() instanceof QueryRequest query) {
                return query.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            if (context.request() instanceof ScanRequest scan) {
                return scan.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
            }
            return context.request();
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            if (context.response() instanceof QueryResponse query) {
                items.addAndGet(query.scannedCount());
                capacity.add(query.consumedCapacity() == null ? 0 : query.consumedCapacity().capacityUnits());
            } else if (context.response() instanceof ScanResponse scan) {
                items.addAndGet(scan.scannedCount());
                capacity.add(scan.consumedCapacity() == null ? 0 : scan.consumedCapacity().capacityUnits());
            }
        }
    }
}
