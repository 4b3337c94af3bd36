package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.reelroute.contract.Params;

/** The names downloads of final.mp4 are saved under: the title, and the tag 3D players read the format from. */
class DownloadNamesTest {

    private static final String JOB = "6f1c2a4e-8b3d-4e5f-9a7b-1c2d3e4f5a6b";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Holiday.mov     | full-sbs   | Holiday_LRF_Full_SBS.mp4",
        "Holiday         | half-sbs   | Holiday_LR.mp4",
        "Holiday         | full-tb    | Holiday_TBF_fulltb.mp4",
        "Holiday         | half-tb    | Holiday_TB.mp4",
        "Holiday         | cross-eyed | Holiday_RLF_cross.mp4",
        "Holiday         | anaglyph   | Holiday_anaglyph.mp4",
        "../etc/passwd   | anaglyph   | .._etc_passwd_anaglyph.mp4",
        "'   '           | full-sbs   | 6f1c2a4e-8b3d-4e5f-9a7b-1c2d3e4f5a6b_LRF_Full_SBS.mp4",
        "Été à Nice.mp4  | full-sbs   | Été à Nice_LRF_Full_SBS.mp4",
    })
    void aStereoDownloadIsNamedForItsFormat(String title, String format, String expected) {
        ObjectNode params = new ObjectMapper().createObjectNode().put("format", format);

        assertThat(DownloadNames.finalVideo(JOB, title, Params.of(params))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "clip.mp4 | clip.mp4",
        "      |    " + JOB + ".mp4",
    })
    void anyOtherDownloadHasNoTag(String title, String expected) {
        assertThat(DownloadNames.finalVideo(JOB, title, Params.empty())).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Holiday_LR.mp4     | attachment; filename=\"Holiday_LR.mp4\"; filename*=UTF-8''Holiday_LR.mp4",
        "Été \"x\".mp4      | attachment; filename=\"_t_ _x_.mp4\"; filename*=UTF-8''%C3%89t%C3%A9%20%22x%22.mp4",
    })
    void theContentDispositionHasAnAsciiNameAndTheUtf8One(String name, String expected) {
        assertThat(DownloadNames.contentDisposition(name)).isEqualTo(expected);
    }
}
