package io.reelroute.contract;

import static io.reelroute.contract.JobStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobStatusTest {

    /**
     * Every move, written out rather than computed: rows are the status a job is in, columns the status a
     * write wants. Forward only, skipping allowed, failed from any non-terminal status, terminals frozen.
     */
    private static final String MOVES = """
                                  CREATED CHUNKING_IN_PROGRESS CHUNKING_COMPLETE REASSEMBLING COMPLETED FAILED
            CREATED               -       yes                  yes               yes          yes       yes
            CHUNKING_IN_PROGRESS  -       -                    yes               yes          yes       yes
            CHUNKING_COMPLETE     -       -                    -                 yes          yes       yes
            REASSEMBLING          -       -                    -                 -            yes       yes
            COMPLETED             -       -                    -                 -            -         -
            FAILED                -       -                    -                 -            -         -
            """;

    static Stream<Arguments> everyPair() {
        List<String> rows = MOVES.lines().map(String::trim).toList();
        List<JobStatus> columns = Arrays.stream(rows.get(0).split("\\s+")).map(JobStatus::valueOf).toList();
        List<Arguments> pairs = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split("\\s+");
            for (int i = 0; i < columns.size(); i++) {
                pairs.add(Arguments.of(JobStatus.valueOf(cells[0]), columns.get(i), cells[i + 1].equals("yes")));
            }
        }
        return pairs.stream();
    }

    @Test
    void theTableCoversEveryPair() {
        assertThat(everyPair()).hasSize(JobStatus.values().length * JobStatus.values().length);
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("everyPair")
    void movesFollowTheForwardOnlyRule(JobStatus from, JobStatus to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
        assertThat(to.predecessors().contains(from)).isEqualTo(allowed);
    }

    @Test
    void predecessorsAreWhatTheConditionalWritesAllow() {
        assertThat(CREATED.predecessors()).isEmpty();
        assertThat(CHUNKING_IN_PROGRESS.predecessors()).containsExactly(CREATED);
        assertThat(CHUNKING_COMPLETE.predecessors()).containsExactly(CREATED, CHUNKING_IN_PROGRESS);
        assertThat(REASSEMBLING.predecessors()).containsExactly(CREATED, CHUNKING_IN_PROGRESS, CHUNKING_COMPLETE);
        assertThat(COMPLETED.predecessors()).containsExactly(CREATED, CHUNKING_IN_PROGRESS, CHUNKING_COMPLETE, REASSEMBLING);
        assertThat(FAILED.predecessors()).containsExactly(CREATED, CHUNKING_IN_PROGRESS, CHUNKING_COMPLETE, REASSEMBLING);
    }

    @Test
    void onlyCompletedAndFailedAreTerminal() {
        assertThat(EnumSet.allOf(JobStatus.class).stream().filter(JobStatus::isTerminal)).containsExactly(COMPLETED, FAILED);
        assertThat(CREATED.canMoveTo(null)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(JobStatus.class)
    void wireNamesRoundTrip(JobStatus status) {
        assertThat(status.wireName()).isEqualTo(status.name().toLowerCase());
        assertThat(JobStatus.fromWireName(status.wireName())).isEqualTo(status);
    }

    @Test
    void wireNamesAreTheDocumentedOnes() {
        assertThat(Arrays.stream(JobStatus.values()).map(JobStatus::wireName)).containsExactly(
                "created", "chunking_in_progress", "chunking_complete", "reassembling", "completed", "failed");
        assertThat(Arrays.stream(FailurePhase.values()).map(FailurePhase::wireName)).containsExactly(
                "upload", "probe", "chunking", "inference", "reassembly", "packaging", "transcode", "stalled");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CREATED", "Created", "done", "", " created"})
    void unknownWireNamesAreRejected(String wireName) {
        assertThatThrownBy(() -> JobStatus.fromWireName(wireName))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown job status '" + wireName + "'");
        assertThatThrownBy(() -> FailurePhase.fromWireName(wireName))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown failure phase");
    }

    @Test
    void aMissingWireNameIsRejectedWithAMessage() {
        assertThatThrownBy(() -> JobStatus.fromWireName(null)).hasMessage("unknown job status null");
        assertThatThrownBy(() -> FailurePhase.fromWireName(null)).hasMessage("unknown failure phase null");
    }

    @ParameterizedTest
    @EnumSource(FailurePhase.class)
    void failurePhasesRoundTrip(FailurePhase phase) {
        assertThat(FailurePhase.fromWireName(phase.wireName())).isEqualTo(phase);
    }
}
