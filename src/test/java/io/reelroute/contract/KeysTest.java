package io.reelroute.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** S3 keys, job ids and modes: what the hops agree on without asking each other. */
class KeysTest {

    static final String JOB = "2b9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6f";
    static final String UPPER_JOB = "2B9F4C1E-7D3A-4F5B-9C8E-1A2B3C4D5E6F";

    // Source keys

    @Test
    void sourceKeysRoundTrip() {
        SourceKey source = new SourceKey(JOB);

        assertThat(source.key()).isEqualTo("input/" + JOB + "/source.mp4");
        assertThat(SourceKey.parse(source.key())).isEqualTo(source);
        assertThat(SourceKey.keyFor(JOB)).isEqualTo(source.key());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"                                                        | the key is empty",
        "/input/" + JOB + "/source.mp4                               | starts with '/'",
        "input//source.mp4                                           | empty path segment",
        "input/" + JOB + "//source.mp4                               | empty path segment",
        "input/" + JOB + "/source.mp4/                               | empty path segment",
        "input/../" + JOB + "/source.mp4                             | '..' path segment",
        "input/" + JOB + "/../source.mp4                             | '..' path segment",
        "input/./source.mp4                                          | '.' path segment",
        "input/" + JOB + "/source.mp4/x                              | three segments under input/",
        "input/x/" + JOB + "/source.mp4                              | three segments under input/",
        "input/source.mp4                                            | three segments under input/",
        "segments/" + JOB + "/source.mp4                             | three segments under input/",
        "jobs/" + JOB + "/source.mp4                                 | three segments under input/",
        "Input/" + JOB + "/source.mp4                                | three segments under input/",
        "input/not-a-uuid/source.mp4                                 | job id is not a lowercase UUID",
        "input/" + UPPER_JOB + "/source.mp4                          | job id is not a lowercase UUID",
        "input/{" + JOB + "}/source.mp4                              | job id is not a lowercase UUID",
        "input/2b9f4c1e7d3a4f5b9c8e1a2b3c4d5e6f/source.mp4           | job id is not a lowercase UUID",
        "input/" + JOB + "/other.mp4                                 | file is not source.mp4",
        "input/" + JOB + "/source.MP4                                | file is not source.mp4",
        "input/" + JOB + "/source.mp4.tmp                            | file is not source.mp4",
    })
    void sourceKeysOutsideTheLayoutAreRejectedWithTheReason(String key, String reason) {
        assertThatThrownBy(() -> SourceKey.parse(key))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining(reason)
                .hasMessageEndingWith(": '" + key + "'");
    }

    @Test
    void aNullSourceKeyIsRejected() {
        assertThatThrownBy(() -> SourceKey.parse(null)).isInstanceOf(InvalidKeyException.class).hasMessageEndingWith(": null");
    }

    @Test
    void sourceKeysNeedAValidJobId() {
        assertThatThrownBy(() -> new SourceKey(UPPER_JOB)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SourceKey.keyFor("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    // Segment keys

    @Test
    void segmentKeysRoundTrip() {
        SegmentKey segment = new SegmentKey(JOB, 7, Mode.ANAGLYPH);

        assertThat(segment.key()).isEqualTo("segments/" + JOB + "/00007_anaglyph.mp4");
        assertThat(SegmentKey.parse(segment.key())).isEqualTo(segment);
    }

    @Test
    void aSegmentKeyWithItsTotalStillParses() {
        // The layout before segments were handed on as they were written; one may be in flight during an upgrade.
        assertThat(SegmentKey.parse("segments/" + JOB + "/00003_00012_sbs.mp4")).isEqualTo(new SegmentKey(JOB, 3, Mode.SBS));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void everySegmentOfAJobRoundTripsAtTheLimits(Mode mode) {
        for (int index : new int[] {0, 1, 12_345, 99_998}) {
            SegmentKey segment = new SegmentKey(JOB, index, mode);
            assertThat(segment.key()).matches("segments/" + JOB + "/[0-9]{5}_" + mode.id() + "\\.mp4");
            assertThat(SegmentKey.parse(segment.key())).isEqualTo(segment);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "segments/" + JOB + "/99999_sbs.mp4                          | index must be 0 to 99998",
        "segments/" + JOB + "/0001_sbs.mp4                           | file name is not",
        "segments/" + JOB + "/000001_sbs.mp4                         | file name is not",
        "segments/" + JOB + "/00001_0003_sbs.mp4                     | file name is not",
        "segments/" + JOB + "/00001_000003_sbs.mp4                   | file name is not",
        "segments/" + JOB + "/-0001_sbs.mp4                          | file name is not",
        "segments/" + JOB + "/+0001_sbs.mp4                          | file name is not",
        "segments/" + JOB + "/\u0660\u0660\u0660\u0660\u0661_sbs.mp4 | file name is not",
        "segments/" + JOB + "/00001-sbs.mp4                          | file name is not",
        "segments/" + JOB + "/00001.mp4                              | file name is not",
        "segments/" + JOB + "/00001_sbs.mov                          | file name is not",
        "segments/" + JOB + "/00001_SBS.mp4                          | file name is not",
        "segments/" + JOB + "/00001_depth.mp4                        | unknown mode 'depth'; allowed: sbs, anaglyph",
        "segments/not-a-uuid/00001_sbs.mp4                           | job id is not a lowercase UUID",
        "segments/" + UPPER_JOB + "/00001_sbs.mp4                    | job id is not a lowercase UUID",
        "segments/" + JOB + "/x/00001_sbs.mp4                        | three segments under segments/",
        "segments/" + JOB + "/00001_sbs.mp4/x                        | three segments under segments/",
        "segments/00001_sbs.mp4                                      | three segments under segments/",
        "input/" + JOB + "/00001_sbs.mp4                             | three segments under segments/",
        "jobs/" + JOB + "/00001_sbs.mp4                              | three segments under segments/",
        "segments/../00001_sbs.mp4                                   | '..' path segment",
        "segments/" + JOB + "/../00001_sbs.mp4                       | '..' path segment",
        "segments//00001_sbs.mp4                                     | empty path segment",
        "/segments/" + JOB + "/00001_sbs.mp4                         | starts with '/'",
        "\"\"                                                        | the key is empty",
    })
    void segmentKeysOutsideTheLayoutAreRejectedWithTheReason(String key, String reason) {
        assertThatThrownBy(() -> SegmentKey.parse(key))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining(reason)
                .hasMessageEndingWith(": '" + key + "'");
    }

    @Test
    void aNullSegmentKeyIsRejected() {
        assertThatThrownBy(() -> SegmentKey.parse(null)).isInstanceOf(InvalidKeyException.class);
    }

    @Test
    void segmentsValidateTheirParts() {
        assertThatThrownBy(() -> new SegmentKey(JOB, -1, Mode.SBS)).hasMessageContaining("0 to 99998");
        assertThatThrownBy(() -> new SegmentKey(JOB, 99_999, Mode.SBS)).hasMessageContaining("0 to 99998");
        assertThatThrownBy(() -> new SegmentKey("nope", 0, Mode.SBS)).hasMessageContaining("not a job id");
        assertThatThrownBy(() -> new SegmentKey(UPPER_JOB, 0, Mode.SBS)).hasMessageContaining("not a job id");
        assertThatThrownBy(() -> new SegmentKey(null, 0, Mode.SBS)).hasMessageContaining("not a job id");
        assertThatThrownBy(() -> new SegmentKey(JOB, 0, null)).hasMessageContaining("mode");
    }

    // Output keys

    @Test
    void outputKeys() {
        assertThat(OutputKeys.segment(JOB, 0)).isEqualTo("jobs/" + JOB + "/segments/0.mp4");
        assertThat(OutputKeys.segment(JOB, 12_345)).isEqualTo("jobs/" + JOB + "/segments/12345.mp4");
        assertThat(OutputKeys.finalVideo(JOB)).isEqualTo("jobs/" + JOB + "/final.mp4");
        assertThat(OutputKeys.hlsPrefix(JOB)).isEqualTo("jobs/" + JOB + "/hls/");
    }

    @Test
    void outputKeysRejectBadJobIdsAndIndexes() {
        assertThatThrownBy(() -> OutputKeys.finalVideo("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutputKeys.hlsPrefix(UPPER_JOB)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutputKeys.segment(null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutputKeys.segment(JOB, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    // Job ids

    @Test
    void newJobIdsAreValidAndDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String id = JobIds.newId();
            assertThat(JobIds.isValid(id)).as(id).isTrue();
            assertThat(JobIds.requireValid(id)).isSameAs(id);
            ids.add(id);
        }
        assertThat(ids).hasSize(100);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {UPPER_JOB, "2b9f4c1e-7d3a-4f5b-9c8e-1A2b3c4d5e6f", "{" + JOB + "}", "2b9f4c1e7d3a4f5b9c8e1a2b3c4d5e6f",
        " " + JOB, JOB + "\n", "2b9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6", "2b9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6f0",
        "2b9f4c1e-7d3a-4f5b-9c8e_1a2b3c4d5e6f", "gb9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6f", "urn:uuid:" + JOB})
    void onlyCanonicalLowercaseUuidsAreJobIds(String candidate) {
        assertThat(JobIds.isValid(candidate)).isFalse();
        assertThatThrownBy(() -> JobIds.requireValid(candidate))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a job id");
    }

    // Modes

    @Test
    void modeIds() {
        assertThat(Mode.SBS.id()).isEqualTo("sbs");
        assertThat(Mode.ANAGLYPH.id()).isEqualTo("anaglyph");
        assertThat(Mode.fromId("sbs")).isEqualTo(Mode.SBS);
        assertThat(Mode.fromId("anaglyph")).isEqualTo(Mode.ANAGLYPH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3d", "SBS", "Anaglyph", "", " sbs"})
    void unknownModesAreRejectedListingTheAllowedOnes(String id) {
        assertThatThrownBy(() -> Mode.fromId(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown mode '" + id + "'; allowed: sbs, anaglyph");
        assertThatThrownBy(() -> Mode.fromId(null)).hasMessage("unknown mode null; allowed: sbs, anaglyph");
    }

    // Messages

    @Test
    void longKeysAreCutShortInMessages() {
        String key = "input/" + "x".repeat(10_000);

        assertThatThrownBy(() -> SourceKey.parse(key))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining(": '" + key.substring(0, 200) + "…'")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }

    @Test
    void anInvalidKeyIsAnIllegalArgument() {
        assertThat(new InvalidKeyException("not a source key", "k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a source key: 'k'");
    }
}
