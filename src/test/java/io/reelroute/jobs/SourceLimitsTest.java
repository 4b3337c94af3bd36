package io.reelroute.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.media.UnprocessableSourceException;
import io.reelroute.media.VideoProbe;

/**
 * What a source may be: each limit passes a source just under it and fails one just over it in phase probe, with
 * the value, the limit and its setting in the reason.
 */
class SourceLimitsTest {

    static final long GB = 1024L * 1024 * 1024;

    /** The defaults, as stated (and as docs/settings.md lists them). */
    final SourceLimits limits = new SourceLimits(new ReelRouteProperties.Limits(DataSize.ofGigabytes(20),
            Duration.ofHours(4), 7680, 7680, 120, 2000));

    @Test
    void theDefaultsAreBoundWhenNothingIsSet() {
        ReelRouteProperties.Limits bound = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("reelroute.limits", ReelRouteProperties.Limits.class);
        assertThat(bound).isEqualTo(new ReelRouteProperties.Limits(DataSize.ofBytes(20 * GB), Duration.ofHours(4),
                7680, 7680, 120, 2000));

        ReelRouteProperties.Limits set = new Binder(new MapConfigurationPropertySource(Map.of(
                "reelroute.limits.max-source-bytes", "1MB", "reelroute.limits.max-duration", "90s")))
                .bindOrCreate("reelroute.limits", ReelRouteProperties.Limits.class);
        assertThat(set.maxSourceBytes().toBytes()).isEqualTo(1024 * 1024);
        assertThat(set.maxDuration()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void size() {
        assertThatCode(() -> limits.checkSize(20 * GB)).doesNotThrowAnyException();
        assertThat(refusal(() -> limits.checkSize((long) (25.3 * GB))))
                .isEqualTo("the source is 25.3 GB; this deployment takes sources up to 20 GB "
                        + "(reelroute.limits.max-source-bytes): trim or compress it and upload again");
        // One byte over reads the same in GB: the bytes are shown instead.
        assertThat(refusal(() -> limits.checkSize(20 * GB + 1)))
                .startsWith("the source is 21474836481 bytes; this deployment takes sources up to 21474836480 bytes "
                        + "(reelroute.limits.max-source-bytes)");
        SourceLimits small = with(DataSize.ofMegabytes(1), Duration.ofHours(4), 7680, 7680, 120, 2000);
        assertThatCode(() -> small.checkSize(1024 * 1024)).doesNotThrowAnyException();
        assertThat(refusal(() -> small.checkSize(1536 * 1024))).startsWith("the source is 1.5 MB; this deployment "
                + "takes sources up to 1 MB (reelroute.limits.max-source-bytes)");
    }

    @Test
    void duration() {
        assertThatCode(() -> limits.check(probe(4 * 3600.0, 1920, 1080, 25), 10)).doesNotThrowAnyException();
        assertThat(refusal(() -> limits.check(probe(4 * 3600 + 30 * 60 + 5, 1920, 1080, 25), 10)))
                .isEqualTo("the source lasts 4 h 30 min 5 s; this deployment takes sources up to 4 h long "
                        + "(reelroute.limits.max-duration): trim it, or split it into parts, and upload again");
        // Just over reads the same rounded: the seconds are shown instead.
        assertThat(refusal(() -> limits.check(probe(4 * 3600 + 0.25, 1920, 1080, 25), 10)))
                .startsWith("the source lasts 14400.25 s; this deployment takes sources up to 14400 s long");
        SourceLimits short10 = with(DataSize.ofGigabytes(20), Duration.ofSeconds(10), 7680, 7680, 120, 2000);
        assertThat(refusal(() -> short10.check(probe(12.5, 160, 120, 25))))
                .startsWith("the source lasts 12.5 s; this deployment takes sources up to 10 s long");
    }

    @Test
    void frame() {
        assertThatCode(() -> limits.check(probe(60, 7680, 4320, 25), 10)).as("8K landscape").doesNotThrowAnyException();
        assertThatCode(() -> limits.check(probe(60, 4320, 7680, 25), 10)).as("8K portrait").doesNotThrowAnyException();
        assertThatCode(() -> limits.check(probe(60, 7680, 7680, 25), 10)).doesNotThrowAnyException();
        assertThat(refusal(() -> limits.check(probe(60, 7681, 4320, 25), 10)))
                .isEqualTo("the source's frame is 7681x4320 pixels; this deployment takes frames up to 7680 wide and "
                        + "7680 high (reelroute.limits.max-width): scale it down and upload again");
        assertThat(refusal(() -> limits.check(probe(60, 4320, 7681, 25), 10)))
                .contains("4320x7681", "(reelroute.limits.max-height)");
        assertThat(refusal(() -> limits.check(probe(60, 8192, 8192, 25), 10)))
                .contains("8192x8192", "(reelroute.limits.max-width and max-height)");
    }

    @Test
    void frameRate() {
        assertThatCode(() -> limits.check(probe(60, 1920, 1080, 120), 10)).doesNotThrowAnyException();
        // A variable-rate clip's average lies a little off its nominal rate: up to 1 % over passes.
        assertThatCode(() -> limits.check(probe(60, 1920, 1080, 121.2), 10)).doesNotThrowAnyException();
        assertThat(refusal(() -> limits.check(probe(60, 1920, 1080, 121.3), 10)))
                .isEqualTo("the source runs at 121.3 frames a second; this deployment takes up to 120 frames a second "
                        + "(reelroute.limits.max-frame-rate): convert it to a lower frame rate and upload again");
        assertThat(refusal(() -> limits.check(probe(60, 1920, 1080, 240), 10))).startsWith("the source runs at 240 frames");
    }

    @Test
    void anUnknownFrameRatePasses() {
        assertThatCode(() -> limits.check(probe(60, 1920, 1080, 0), 10)).doesNotThrowAnyException();
        assertThatCode(() -> limits.check(new VideoProbe(60, "h264", 1920, 1080, true, "yuv420p"), 10))
                .doesNotThrowAnyException();
    }

    @Test
    void segments() {
        // 2000 segments of 7 s: 13,994 s passes; one more second makes 2001.
        assertThatCode(() -> limits.check(probe(2000 * 7, 1920, 1080, 25), 7)).doesNotThrowAnyException();
        assertThat(refusal(() -> limits.check(probe(2000 * 7 + 1, 1920, 1080, 25), 7)))
                .isEqualTo("the source of 3 h 53 min 21 s would be split into 2001 segments of 7 s; this deployment "
                        + "makes at most 2000 segments of a source (reelroute.limits.max-segments): a longer "
                        + "segment_seconds (8 or more) or a shorter source fits");
        SourceLimits three = with(DataSize.ofGigabytes(20), Duration.ofHours(4), 7680, 7680, 120, 3);
        assertThatCode(() -> three.check(probe(6, 160, 120, 25), 2)).doesNotThrowAnyException();
        assertThat(refusal(() -> three.check(probe(6.04, 160, 120, 25), 2)))
                .contains("split into 4 segments of 2 s", "at most 3 segments", "segment_seconds (3 or more)");
        // Without a segment length (a pipeline that does not split), the count is not checked.
        assertThatCode(() -> three.check(probe(600, 160, 120, 25))).doesNotThrowAnyException();
        assertThatCode(() -> three.check(probe(600, 160, 120, 25), 0)).doesNotThrowAnyException();
    }

    @Test
    void theFirstLimitOverIsNamed() {
        assertThat(refusal(() -> limits.check(probe(5 * 3600, 8192, 4320, 240), 1))).contains("max-duration");
        assertThat(refusal(() -> limits.check(probe(60, 8192, 4320, 240), 1))).contains("max-width");
    }

    @Test
    void noLimits() {
        SourceLimits none = SourceLimits.none();
        assertThatCode(() -> none.checkSize(Long.MAX_VALUE)).doesNotThrowAnyException();
        assertThatCode(() -> none.check(probe(1e9, 100_000, 100_000, 10_000), 1)).doesNotThrowAnyException();
    }

    @Test
    void humanUnits() {
        assertThat(SourceLimits.bytes(512)).isEqualTo("512 bytes");
        assertThat(SourceLimits.bytes(1536)).isEqualTo("1.5 KB");
        assertThat(SourceLimits.bytes(20 * GB)).isEqualTo("20 GB");
        assertThat(SourceLimits.bytes(3 * 1024 * GB)).isEqualTo("3 TB");
        assertThat(SourceLimits.duration(12.5)).isEqualTo("12.5 s");
        assertThat(SourceLimits.duration(90)).isEqualTo("1 min 30 s");
        assertThat(SourceLimits.duration(3600)).isEqualTo("1 h");
        assertThat(SourceLimits.duration(3605)).isEqualTo("1 h 5 s");
    }

    static VideoProbe probe(double seconds, int width, int height, double fps) {
        return new VideoProbe(seconds, "h264", width, height, true, "yuv420p", fps);
    }

    static SourceLimits with(DataSize bytes, Duration duration, int width, int height, double fps, int segments) {
        return new SourceLimits(new ReelRouteProperties.Limits(bytes, duration, width, height, fps, segments));
    }

    /** The reason of the refusal {@code check} throws: a job failure in phase probe. */
    static String refusal(org.assertj.core.api.ThrowableAssert.ThrowingCallable check) {
        UnprocessableSourceException refused = catchThrowableOfType(UnprocessableSourceException.class, check);
        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.phase()).isEqualTo(FailurePhase.PROBE);
        return refused.reason();
    }
}
