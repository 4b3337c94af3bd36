package io.reelroute.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class KeysTest {

    static final String JOB = "2b9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6f";

    @Test
    void sourceKeysRoundTrip() {
        assertThat(new SourceKey(JOB).key()).isEqualTo("input/" + JOB + "/source.mp4");
        assertThat(SourceKey.parse("input/" + JOB + "/source.mp4")).isEqualTo(new SourceKey(JOB));
        assertThat(SourceKey.keyFor(JOB)).isEqualTo("input/" + JOB + "/source.mp4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "input//source.mp4", "/input/" + JOB + "/source.mp4", "input/" + JOB + "/other.mp4",
        "input/" + JOB + "/source.mp4/x", "input/../" + JOB + "/source.mp4", "input/" + JOB + "/../source.mp4",
        "input/not-a-uuid/source.mp4", "input/2B9F4C1E-7D3A-4F5B-9C8E-1A2B3C4D5E6F/source.mp4",
        "segments/" + JOB + "/source.mp4", "input/x/" + JOB + "/source.mp4", "input/" + JOB + "/source.MP4"})
    void sourceKeysOutsideTheLayoutAreRejected(String key) {
        assertThatThrownBy(() -> SourceKey.parse(key)).isInstanceOf(InvalidKeyException.class).hasMessageContaining("'" + key + "'");
    }

    @Test
    void segmentKeysRoundTrip() {
        SegmentKey segment = new SegmentKey(JOB, 7, 12, Mode.ANAGLYPH);
        assertThat(segment.key()).isEqualTo("segments/" + JOB + "/00007_00012_anaglyph.mp4");
        assertThat(SegmentKey.parse(segment.key())).isEqualTo(segment);
        assertThat(SegmentKey.parse("segments/" + JOB + "/00000_00001_sbs.mp4")).isEqualTo(new SegmentKey(JOB, 0, 1, Mode.SBS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"segments/" + JOB + "/00003_00003_sbs.mp4", "segments/" + JOB + "/00004_00003_sbs.mp4",
        "segments/" + JOB + "/00000_00000_sbs.mp4", "segments/" + JOB + "/0001_00003_sbs.mp4",
        "segments/" + JOB + "/000001_00003_sbs.mp4", "segments/" + JOB + "/00001_00003_depth.mp4",
        "segments/" + JOB + "/00001_00003_SBS.mp4", "segments/" + JOB + "/00001_00003_sbs.mov",
        "segments/not-a-uuid/00001_00003_sbs.mp4", "segments/" + JOB + "/x/00001_00003_sbs.mp4",
        "segments/../00001_00003_sbs.mp4", "input/" + JOB + "/00001_00003_sbs.mp4", "segments/" + JOB + "/-0001_00003_sbs.mp4"})
    void segmentKeysOutsideTheLayoutAreRejected(String key) {
        assertThatThrownBy(() -> SegmentKey.parse(key)).isInstanceOf(InvalidKeyException.class);
    }

    @Test
    void segmentsValidateTheirParts() {
        assertThatThrownBy(() -> new SegmentKey(JOB, 3, 3, Mode.SBS)).hasMessageContaining("below the total");
        assertThatThrownBy(() -> new SegmentKey(JOB, -1, 3, Mode.SBS)).hasMessageContaining("below the total");
        assertThatThrownBy(() -> new SegmentKey(JOB, 0, 100_000, Mode.SBS)).hasMessageContaining("1 to 99999");
        assertThatThrownBy(() -> new SegmentKey("nope", 0, 1, Mode.SBS)).hasMessageContaining("not a job id");
        assertThatThrownBy(() -> new SegmentKey(JOB, 0, 1, null)).hasMessageContaining("mode");
    }

    @Test
    void outputKeys() {
        assertThat(OutputKeys.segment(JOB, 7)).isEqualTo("jobs/" + JOB + "/segments/7.mp4");
        assertThat(OutputKeys.finalVideo(JOB)).isEqualTo("jobs/" + JOB + "/final.mp4");
        assertThat(OutputKeys.hlsPrefix(JOB)).isEqualTo("jobs/" + JOB + "/hls/");
        assertThatThrownBy(() -> OutputKeys.finalVideo("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void modesAndJobIds() {
        assertThat(Mode.fromId("sbs")).isEqualTo(Mode.SBS);
        assertThat(Mode.ANAGLYPH.id()).isEqualTo("anaglyph");
        assertThatThrownBy(() -> Mode.fromId("3d")).hasMessage("unknown mode '3d'; allowed: sbs, anaglyph");
        assertThat(JobIds.isValid(JobIds.newId())).isTrue();
        assertThat(JobIds.isValid(JOB.toUpperCase())).isFalse();
    }

    @Test
    void resourceNamesDeriveFromThePrefix() {
        ResourceNames names = ResourceNames.fromPrefix("acme-prod");
        assertThat(names.buckets()).containsExactly("acme-prod-input", "acme-prod-output");
        assertThat(names.queues()).containsExactly("acme-prod-chunking", "acme-prod-video-worker", "acme-prod-reassembly");
        assertThat(ResourceNames.dlq(names.chunkingQueue())).isEqualTo("acme-prod-chunking-dlq");
        assertThat(names.jobsTable()).isEqualTo("acme-prod-jobs");
        assertThat(names.segmentCompletionsTable()).isEqualTo("acme-prod-segment-completions");
        assertThat(names.reassemblyTriggeredTable()).isEqualTo("acme-prod-reassembly-triggered");
        assertThatThrownBy(() -> ResourceNames.fromPrefix("Bad_Prefix")).hasMessageContaining("reelroute.prefix");
    }
}
