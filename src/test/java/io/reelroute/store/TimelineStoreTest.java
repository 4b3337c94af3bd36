package io.reelroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.reelroute.contract.Hop;
import io.reelroute.contract.HopRun;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.Rendition;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.Timeline;
import io.reelroute.contract.Timeline.HopTime;
import io.reelroute.contract.Timeline.SegmentTime;
import io.reelroute.testing.ProvisionedEmulators;
import io.reelroute.testing.SettableClock;

/**
 * A job's timeline on DynamoDB Local: the hop runs the stores keep with the writes that end them, read back with the
 * job, and the segments' inference times kept in their completion items, read back a page at a time.
 */
class TimelineStoreTest {

    private static final ResourceNames NAMES = ProvisionedEmulators.NAMES;
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    private static ProvisionedEmulators emulators;
    private static JobStore jobs;
    private static SegmentCompletionStore completions;
    private static final SettableClock clock = new SettableClock(T0);

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        jobs = new JobStore(emulators.dynamoDb(), NAMES.jobsTable(), clock);
        completions = new SegmentCompletionStore(emulators.dynamoDb(), NAMES, clock);
    }

    @AfterAll
    static void stop() {
        emulators.close();
    }

    private static Instant at(long seconds) {
        clock.set(T0.plusSeconds(seconds));
        return T0.plusSeconds(seconds);
    }

    @Test
    void eachHopRunIsKeptByTheWriteThatEndsItAndReadBackInPipelineOrder() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);

        at(1);
        jobs.chunkingComplete(jobId, 2, new HopRun(Hop.CHUNK, T0, Duration.ofMillis(250), 1));
        at(20);
        jobs.recordHop(jobId, new HopRun(Hop.COMPLETION, T0.plusSeconds(19), null, null));
        at(30);
        jobs.complete(jobId, new HopRun(Hop.REASSEMBLY, T0.plusSeconds(21), Duration.ofMillis(40), 2));
        at(32);
        // Packaging: started at its submission, ended by its outcome, which another message brings.
        jobs.hlsSubmitted(jobId, "mc-1", new HopRun(Hop.PACKAGING, T0.plusSeconds(31), Duration.ofMillis(5), 1));
        at(45);
        jobs.hlsReady(jobId, "jobs/" + jobId + "/hls/master.m3u8");

        assertThat(jobs.find(jobId).orElseThrow().hops())
                .extracting(HopTime::hop, HopTime::startedAt, HopTime::finishedAt, HopTime::queueWaitMs)
                .containsExactly(
                        tuple(Hop.CHUNK, T0, T0.plusSeconds(1), 250L),
                        tuple(Hop.COMPLETION, T0.plusSeconds(19), T0.plusSeconds(20), null),
                        tuple(Hop.REASSEMBLY, T0.plusSeconds(21), T0.plusSeconds(30), 40L),
                        tuple(Hop.PACKAGING, T0.plusSeconds(31), T0.plusSeconds(45), 5L));
    }

    @Test
    void aHopStillRunningHasNoFinishAndAWriteWithoutARunKeepsNoTimes() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.chunkingComplete(jobId, 1);
        jobs.recordPackagerJob(jobId, "local-" + jobId, new HopRun(Hop.PACKAGING, at(5), Duration.ZERO, 1));

        assertThat(jobs.find(jobId).orElseThrow().hops())
                .extracting(HopTime::hop, HopTime::startedAt, HopTime::finishedAt, HopTime::queueWaitMs)
                .containsExactly(tuple(Hop.PACKAGING, T0.plusSeconds(5), null, 0L));
    }

    @Test
    void theRenditionsPipelineKeepsItsPosterAsThePartOfItsRunBeforeThePosterWasRecorded() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        HopRun renditions = new HopRun(Hop.RENDITIONS, at(2), Duration.ofMillis(70), 1);
        at(3);
        jobs.recordPoster(jobId, "jobs/" + jobId + "/poster.jpg", renditions);
        at(9);
        jobs.recordRenditions(jobId, List.of(new Rendition(640, 360, 800_000, "jobs/" + jobId + "/renditions/360p.mp4")),
                renditions);

        assertThat(jobs.find(jobId).orElseThrow().hops())
                .extracting(HopTime::hop, HopTime::startedAt, HopTime::finishedAt, HopTime::queueWaitMs)
                .containsExactly(
                        tuple(Hop.POSTER, T0.plusSeconds(2), T0.plusSeconds(3), 70L),
                        tuple(Hop.RENDITIONS, T0.plusSeconds(2), T0.plusSeconds(9), 70L));
    }

    @Test
    void eachSegmentsInferenceTimesComeBackFromItsCompletionAPageAtATime() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.chunkingComplete(jobId, 5);
        for (int index = 4; index >= 0; index--) {
            HopRun inference = new HopRun(Hop.INFERENCE, at(10 + index), Duration.ofMillis(100 * index), index + 1);
            at(20 + index);
            completions.record(new SegmentKey(jobId, index, Mode.SBS), "jobs/" + jobId + "/segments/" + index + ".mp4",
                    inference);
        }
        // A redelivered completion is not counted again, and keeps the first run's times.
        completions.record(new SegmentKey(jobId, 2, Mode.SBS), "jobs/" + jobId + "/segments/2.mp4",
                new HopRun(Hop.INFERENCE, at(99), Duration.ofMillis(1), 9));

        SegmentCompletionStore.Page<SegmentTime> first = completions.segmentTimes(jobId, 0, 3);
        assertThat(first.items())
                .extracting(SegmentTime::index, SegmentTime::startedAt, SegmentTime::finishedAt, SegmentTime::queueWaitMs,
                        SegmentTime::attempts)
                .containsExactly(
                        tuple(0, T0.plusSeconds(10), T0.plusSeconds(20), 0L, 1),
                        tuple(1, T0.plusSeconds(11), T0.plusSeconds(21), 100L, 2),
                        tuple(2, T0.plusSeconds(12), T0.plusSeconds(22), 200L, 3));
        assertThat(first.next()).isEqualTo(3);
        SegmentCompletionStore.Page<SegmentTime> rest = completions.segmentTimes(jobId, first.next(), 3);
        assertThat(rest.items()).extracting(SegmentTime::index).containsExactly(3, 4);
        assertThat(rest.next()).isNull();
        assertThat(completions.segmentTimes(jobId, 0, 5).next()).as("exactly a page").isNull();
        assertThat(jobs.find(jobId).orElseThrow().completedSegments()).isEqualTo(5);
    }

    @Test
    void aCompletionRecordedWithoutARunHasItsFinishOnly() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        at(7);
        completions.record(new SegmentKey(jobId, 0, Mode.SBS), "jobs/" + jobId + "/segments/0.mp4");

        assertThat(completions.segmentTimes(jobId, 0, 10).items())
                .containsExactly(new Timeline.SegmentTime(0, null, T0.plusSeconds(7), null, null));
    }
}
