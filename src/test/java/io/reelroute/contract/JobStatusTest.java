package io.reelroute.contract;

import static io.reelroute.contract.JobStatus.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class JobStatusTest {

    private static final List<JobStatus> FORWARD = List.of(CREATED, CHUNKING_IN_PROGRESS, CHUNKING_COMPLETE, REASSEMBLING, COMPLETED);

    @Test
    void everyPairFollowsTheForwardOnlyRule() {
        for (JobStatus from : JobStatus.values()) {
            for (JobStatus to : JobStatus.values()) {
                boolean expected = !from.isTerminal() && from != to
                        && (to == FAILED || (to != CREATED && FORWARD.indexOf(to) > FORWARD.indexOf(from)));
                assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(expected);
            }
        }
    }

    @Test
    void predecessorsAreWhatTheConditionalWritesAllow() {
        assertThat(CREATED.predecessors()).isEmpty();
        assertThat(CHUNKING_IN_PROGRESS.predecessors()).containsExactly(CREATED);
        assertThat(CHUNKING_COMPLETE.predecessors()).containsExactly(CREATED, CHUNKING_IN_PROGRESS);
        assertThat(COMPLETED.predecessors()).containsExactly(CREATED, CHUNKING_IN_PROGRESS, CHUNKING_COMPLETE, REASSEMBLING);
        assertThat(FAILED.predecessors()).containsExactly(CREATED, CHUNKING_IN_PROGRESS, CHUNKING_COMPLETE, REASSEMBLING);
    }

    @Test
    void wireNames() {
        assertThat(CHUNKING_IN_PROGRESS.wireName()).isEqualTo("chunking_in_progress");
        assertThat(JobStatus.fromWireName("chunking_complete")).isEqualTo(CHUNKING_COMPLETE);
        assertThat(FailurePhase.fromWireName("probe")).isEqualTo(FailurePhase.PROBE);
    }
}
