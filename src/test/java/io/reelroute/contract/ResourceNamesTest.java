package io.reelroute.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceNamesTest {

    @Test
    void everyNameDerivesFromTheDefaultPrefix() {
        assertThat(ResourceNames.fromPrefix("reelroute")).isEqualTo(new ResourceNames(
                "reelroute-input", "reelroute-output",
                "reelroute-chunking", "reelroute-video-worker", "reelroute-reassembly", "reelroute-transcode-events",
                "reelroute-jobs", "reelroute-segment-completions", "reelroute-reassembly-triggered"));
    }

    @Test
    void listsAndDeadLetterQueuesFollowThePrefix() {
        ResourceNames names = ResourceNames.fromPrefix("acme-prod");

        assertThat(names.buckets()).containsExactly("acme-prod-input", "acme-prod-output");
        assertThat(names.queues()).containsExactly("acme-prod-chunking", "acme-prod-video-worker", "acme-prod-reassembly",
                "acme-prod-transcode-events");
        assertThat(names.queues().stream().map(ResourceNames::dlq)).containsExactly("acme-prod-chunking-dlq",
                "acme-prod-video-worker-dlq", "acme-prod-reassembly-dlq", "acme-prod-transcode-events-dlq");
    }

    @Test
    void theLongestPrefixStillMakesValidNames() {
        ResourceNames names = ResourceNames.fromPrefix("a".repeat(41));

        assertThat(names.buckets()).allSatisfy(bucket -> assertThat(bucket.length()).isLessThanOrEqualTo(63));
        assertThat(names.queues()).allSatisfy(queue -> assertThat(ResourceNames.dlq(queue).length()).isLessThanOrEqualTo(80));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Reelroute", "reel_route", "-reelroute", "reel route", "reel.route", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "xn--reelroute", "sthree-reelroute", "amzn-s3-demo-reelroute"})
    void prefixesThatWouldMakeInvalidNamesAreRejected(String prefix) {
        assertThatThrownBy(() -> ResourceNames.fromPrefix(prefix))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reelroute.prefix");
    }

    @Test
    void tableSchemaNames() {
        assertThat(Tables.JOB_ID).isEqualTo("job_id");
        assertThat(Tables.SEGMENT_INDEX).isEqualTo("segment_index");
        assertThat(Tables.STATUS).isEqualTo("status");
        assertThat(Tables.COMPLETED_AT).isEqualTo("completed_at");
        assertThat(Tables.TTL).isEqualTo("ttl");
        assertThat(Tables.STATUS_COMPLETED_AT_INDEX).isEqualTo("status-completed_at");
        assertThat(Tables.MODE).isEqualTo("mode");
        assertThat(Tables.CREATED_AT).isEqualTo("created_at");
        assertThat(Tables.UPDATED_AT).isEqualTo("updated_at");
        assertThat(Tables.TOTAL_SEGMENTS).isEqualTo("total_segments");
        assertThat(Tables.FAILURE_PHASE).isEqualTo("failure_phase");
        assertThat(Tables.FAILURE_REASON).isEqualTo("failure_reason");
    }
}
