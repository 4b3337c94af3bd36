package io.reelroute.reassembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaTools;
import io.reelroute.store.JobStore;
import io.reelroute.store.ReassemblyLocks;
import io.reelroute.store.SegmentCompletionStore;
import io.reelroute.testing.ProvisionedEmulators;

/**
 * The reassembly lock's short lease: renewed while the join runs, so it holds past its lease; free again one lease
 * after its holder died; and taken at once by the same worker (a container restarted in its pod) when the message
 * comes back, rather than after the lease its dead predecessor held.
 */
class ReassemblyLockLeaseTest {

    static final Duration LEASE = Duration.ofSeconds(2);

    static ProvisionedEmulators emulators;
    static ReassemblyLocks locks;
    static JobStore jobs;
    static ReelRouteProperties properties;

    ReassemblyWork work;

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        properties = new Binder(new MapConfigurationPropertySource(Map.of("reelroute.reassembly.lock-ttl", "2s")))
                .bindOrCreate("reelroute", ReelRouteProperties.class);
        locks = new ReassemblyLocks(emulators.dynamoDb(), properties);
        jobs = new JobStore(emulators.dynamoDb(), properties);
    }

    @AfterAll
    static void stop() {
        emulators.close();
    }

    @AfterEach
    void stopRenewing() {
        if (work != null) {
            work.stopRenewing();
        }
    }

    private ReassemblyWork work() {
        work = new ReassemblyWork(emulators.s3(), jobs, new SegmentCompletionStore(emulators.dynamoDb(), properties), locks,
                new FileProbe(MediaTools.bundled(), Duration.ofSeconds(30), new ObjectMapper()), new ObjectMapper(), properties);
        return work;
    }

    private static String newJob() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        return jobId;
    }

    @Test
    void theLockHoldsPastItsLeaseWhileTheWorkRunsAndIsFreeAtItsEnd() throws Exception {
        ReassemblyWork work = work();
        String jobId = newJob();

        ReassemblyWork.Run run = work.lock(jobId);
        Thread.sleep(LEASE.multipliedBy(3).toMillis());
        assertThat(locks.acquire(jobId, "another-worker", LEASE)).as("renewed, so still held").isFalse();
        assertThatThrownBy(() -> work.lock(jobId)).as("a second delivery to this process while the first runs")
                .isInstanceOf(ReassemblyWork.LockHeld.class);

        work.cleanup(run);
        assertThat(locks.acquire(jobId, "another-worker", LEASE)).as("released").isTrue();
    }

    @Test
    void aDeadWorkersLockIsFreeAfterOneLease() {
        ReassemblyWork work = work();
        String jobId = newJob();
        assertThat(locks.acquire(jobId, "pod-that-died/1", LEASE)).isTrue();
        assertThatThrownBy(() -> work.lock(jobId)).isInstanceOf(ReassemblyWork.LockHeld.class);

        long started = System.nanoTime();
        AtomicReference<ReassemblyWork.Run> run = new AtomicReference<>();
        await().atMost(LEASE.multipliedBy(3)).pollInterval(Duration.ofMillis(100))
                .ignoreException(ReassemblyWork.LockHeld.class)
                .until(() -> run.compareAndSet(null, work.lock(jobId)));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(LEASE.multipliedBy(2));
        work.cleanup(run.get());
    }

    @Test
    void theSameWorkerTakesItsOwnOldLockAtOnce() {
        ReassemblyWork work = work();
        String jobId = newJob();
        // What this worker's previous incarnation left: its lock, with a long lease still to run.
        assertThat(locks.acquire(jobId, work.owner(), Duration.ofHours(1))).isTrue();

        ReassemblyWork.Run run = work.lock(jobId);

        assertThat(run.lockOwner()).isEqualTo(work.owner());
        work.cleanup(run);
    }
}
