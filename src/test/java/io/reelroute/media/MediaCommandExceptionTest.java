package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The reason a failed media run gives the person who uploaded the media. */
class MediaCommandExceptionTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** ffmpeg exits 69 when too much of the input failed to decode, whether or not its tail says so. */
    @Test
    void ffmpegsDecodeErrorExitIsADamagedSourceWhateverItsTailHolds() {
        for (String tail : new String[] {"", "[out#0/mp4 @ 0x1] video:0KiB audio:0KiB", "Decode error rate 1 exceeds maximum 0.666667"}) {
            assertThat(MediaCommandException.reason("ffmpeg", new ProcessRunner.Result(69, false, tail), TIMEOUT, "the source"))
                    .as(tail).isEqualTo("the source is damaged: ffmpeg could not read its data; export or copy the file again and upload it");
        }
        assertThat(MediaCommandException.reason("ffmpeg", new ProcessRunner.Result(1, false, ""), TIMEOUT, "the source"))
                .isEqualTo("ffmpeg exited with code 1 on the source");
    }
}
