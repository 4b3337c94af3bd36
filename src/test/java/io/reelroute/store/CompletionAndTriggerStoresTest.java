package io.reelroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.Tables;
import io.reelroute.testing.ProvisionedEmulators;
import io.reelroute.testing.SettableClock;
import io.reelroute.store.DynamoDbIdempotentRepository.HandOffInProgress;
import io.reelroute.store.SegmentCompletionStore.Recorded;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The stores that make completion counting and the reassembly trigger exactly-once, against DynamoDB Local,
 * with many threads at once where it matters.
 */
class CompletionAndTriggerStoresTest {

    private static final ResourceNames NAMES = ProvisionedEmulators.NAMES;
    private static final int THREADS = 16;

    private static ProvisionedEmulators emulators;
    private static DynamoDbClient dynamoDb;
    private static JobStore jobs;
    private static final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        dynamoDb = emulators.dynamoDb();
        jobs = new JobStore(dynamoDb, NAMES.jobsTable(), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        emulators.close();
    }

    // --- the ReassemblyTriggered repository ---------------------------------------------------------

    @Test
    void ofManyConcurrentAddsExactlyOneWins() throws Exception {
        DynamoDbIdempotentRepository repository = repository();
        String key = JobIds.newId();

        List<Object> outcomes = concurrently(() -> {
            try {
                return repository.add(key);
            } catch (HandOffInProgress pending) {
                return pending;
            }
        });

        assertThat(outcomes).filteredOn(Boolean.TRUE::equals).hasSize(1);
        // The losers learn that a hand-off is under way, not that the work is done: it is not confirmed yet.
        assertThat(outcomes).filteredOn(o -> !Boolean.TRUE.equals(o)).hasSize(THREADS - 1)
                .allMatch(HandOffInProgress.class::isInstance);
        repository.confirm(key);
        assertThat(concurrently(() -> repository.add(key))).containsOnly(false);
    }

    @Test
    void aFailedHandOffIsRemovedSoThatARetryCanTriggerAgain() {
        DynamoDbIdempotentRepository repository = repository();
        String key = JobIds.newId();

        assertThat(repository.add(key)).isTrue();
        assertThat(repository.remove(key)).isTrue();
        assertThat(repository.contains(key)).isFalse();
        assertThat(repository.add(key)).isTrue();
        assertThat(repository.confirm(key)).isTrue();
        // A confirmed trigger is never removed: the reassembly message was sent.
        assertThat(repository.remove(key)).isFalse();
        assertThat(repository.add(key)).isFalse();
    }

    @Test
    void aClaimWhoseSenderDiedIsTakenOverAfterTheLease() {
        DynamoDbIdempotentRepository repository = repository();
        String key = JobIds.newId();
        assertThat(repository.add(key)).isTrue();

        assertThatThrownBy(() -> repository.add(key)).isInstanceOf(HandOffInProgress.class);
        clock.advance(Duration.ofSeconds(61));

        assertThat(repository.add(key)).isTrue();
        repository.confirm(key);
        assertThat(repository.add(key)).isFalse();
    }

    @Test
    void itemsCarryATimeToLiveInEpochSeconds() {
        DynamoDbIdempotentRepository repository = repository();
        String key = JobIds.newId();
        repository.add(key);

        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(NAMES.reassemblyTriggeredTable())
                .key(Map.of(Tables.JOB_ID, AttributeValue.fromS(key)))).item();
        assertThat(Long.parseLong(item.get(Tables.TTL).n()))
                .isEqualTo(clock.instant().plus(Duration.ofDays(7)).getEpochSecond());
        assertThatThrownBy(repository::clear).isInstanceOf(UnsupportedOperationException.class);
    }

    // --- completions --------------------------------------------------------------------------------

    @Test
    void aCompletionCountsOnceHoweverOftenItIsRecorded() throws Exception {
        SegmentCompletionStore completions = new SegmentCompletionStore(dynamoDb, NAMES, Clock.systemUTC());
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        SegmentKey segment = new SegmentKey(jobId, 2, Mode.SBS);

        List<Object> outcomes = concurrently(() -> record(completions, segment));

        assertThat(outcomes).filteredOn(Recorded.COUNTED::equals).hasSize(1);
        assertThat(outcomes).filteredOn(Recorded.DUPLICATE::equals).hasSize(THREADS - 1);
        assertThat(jobs.find(jobId).orElseThrow().completedSegments()).isEqualTo(1);
        assertThat(completions.completedIndices(jobId)).containsExactly(2);
    }

    @Test
    void concurrentCompletionsOfDifferentSegmentsAreAllCounted() throws Exception {
        SegmentCompletionStore completions = new SegmentCompletionStore(dynamoDb, NAMES, Clock.systemUTC());
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.startChunking(jobId);
        AtomicLong next = new AtomicLong();

        concurrently(() -> record(completions, new SegmentKey(jobId, (int) next.getAndIncrement(), Mode.SBS)));

        assertThat(jobs.find(jobId).orElseThrow().completedSegments()).isEqualTo(THREADS);
        assertThat(completions.completedIndices(jobId)).hasSize(THREADS);
        // Not ready until chunking_complete is recorded, whatever the count.
        assertThat(jobs.readyForReassembly(jobId)).isFalse();
        jobs.chunkingComplete(jobId, THREADS);
        assertThat(jobs.readyForReassembly(jobId)).isTrue();
    }

    @Test
    void aCompletionForAJobThatDoesNotExistCreatesNothing() {
        SegmentCompletionStore completions = new SegmentCompletionStore(dynamoDb, NAMES, Clock.systemUTC());
        String jobId = JobIds.newId();

        assertThat(completions.record(new SegmentKey(jobId, 0, Mode.SBS), "jobs/x/segments/0.mp4"))
                .isEqualTo(Recorded.NO_SUCH_JOB);
        assertThat(jobs.find(jobId)).isEmpty();
        assertThat(completions.completedIndices(jobId)).isEmpty();
    }

    // --- the reassembly lock ------------------------------------------------------------------------

    @Test
    void aLockIsHeldByOneOwnerUntilItExpiresOrIsReleased() {
        ReassemblyLocks locks = new ReassemblyLocks(dynamoDb, NAMES.jobsTable(), clock);
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);

        assertThat(locks.acquire(jobId, "a", Duration.ofMinutes(5))).isTrue();
        assertThat(locks.acquire(jobId, "b", Duration.ofMinutes(5))).isFalse();
        assertThat(locks.acquire(jobId, "a", Duration.ofMinutes(5))).as("re-entrant for its owner").isTrue();

        clock.advance(Duration.ofMinutes(6));
        assertThat(locks.acquire(jobId, "b", Duration.ofMinutes(5))).as("a's lock expired").isTrue();
        locks.release(jobId, "a");
        assertThat(locks.acquire(jobId, "c", Duration.ofMinutes(5))).as("a can't release b's lock").isFalse();
        locks.release(jobId, "b");
        assertThat(locks.acquire(jobId, "c", Duration.ofMinutes(5))).isTrue();
        assertThat(locks.acquire(JobIds.newId(), "c", Duration.ofMinutes(5))).as("no such job").isFalse();
    }

    @Test
    void aLockIsRenewedByItsOwnerOnly() {
        ReassemblyLocks locks = new ReassemblyLocks(dynamoDb, NAMES.jobsTable(), clock);
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        assertThat(locks.acquire(jobId, "a", Duration.ofMinutes(2))).isTrue();

        clock.advance(Duration.ofMinutes(1));
        assertThat(locks.renew(jobId, "a", Duration.ofMinutes(2))).isTrue();
        assertThat(locks.renew(jobId, "b", Duration.ofMinutes(2))).as("not b's").isFalse();
        clock.advance(Duration.ofSeconds(90));
        assertThat(locks.acquire(jobId, "b", Duration.ofMinutes(2))).as("renewed past its first lease").isFalse();

        clock.advance(Duration.ofMinutes(1));
        assertThat(locks.acquire(jobId, "b", Duration.ofMinutes(2))).as("a stopped renewing: free one lease later").isTrue();
        assertThat(locks.renew(jobId, "a", Duration.ofMinutes(2))).as("a lost it").isFalse();
    }

    // --- helpers ------------------------------------------------------------------------------------

    private static DynamoDbIdempotentRepository repository() {
        return new DynamoDbIdempotentRepository(dynamoDb, NAMES.reassemblyTriggeredTable(), Duration.ofSeconds(60),
                Duration.ofDays(7), clock);
    }

    /** Records, retrying the transaction conflicts DynamoDB reports when many writers hit one item. */
    private static Recorded record(SegmentCompletionStore completions, SegmentKey segment) throws InterruptedException {
        while (true) {
            try {
                return completions.record(segment, "jobs/" + segment.jobId() + "/segments/" + segment.index() + ".mp4");
            } catch (software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException conflict) {
                Thread.sleep(20);
            }
        }
    }

    /** Runs the call on {@link #THREADS} threads released at the same moment; returns each outcome. */
    private static List<Object> concurrently(Callable<Object> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
