package io.reelroute.jobs;

import java.time.Duration;
import java.util.Locale;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.media.UnprocessableSourceException;
import io.reelroute.media.VideoProbe;

/**
 * What a source may be in this deployment ({@code reelroute.limits.*}): its size, checked before it is downloaded,
 * and its duration, frame, frame rate and the number of segments the split would make of it, checked right after
 * it is probed. A source over a limit is bad input: the job fails at once in phase probe (no retry), with a reason
 * that names the value, the limit and the setting in human units, and what to do about it.
 */
@Component("sourceLimits")
public class SourceLimits {

    /**
     * How far over {@code max-frame-rate} a measured rate may be and still pass: ffprobe's average rate of a
     * variable-rate clip (a phone's) lies a little off its nominal rate.
     */
    static final double FRAME_RATE_TOLERANCE = 0.01;

    private final ReelRouteProperties.Limits limits;

    @Autowired
    public SourceLimits(ReelRouteProperties properties) {
        this(properties.limits());
    }

    public SourceLimits(ReelRouteProperties.Limits limits) {
        this.limits = limits;
    }

    /** No limit at all: for pieces used without the application (their tests). */
    public static SourceLimits none() {
        return new SourceLimits(new ReelRouteProperties.Limits(DataSize.ofBytes(Long.MAX_VALUE),
                Duration.ofDays(1_000_000), Integer.MAX_VALUE, Integer.MAX_VALUE, Double.MAX_VALUE,
                Integer.MAX_VALUE));
    }

    /** The largest source, in bytes. */
    public long maxSourceBytes() {
        return limits.maxSourceBytes().toBytes();
    }

    /**
     * @throws UnprocessableSourceException when a source of {@code bytes} is larger than
     *         {@code reelroute.limits.max-source-bytes}
     */
    public void checkSize(long bytes) {
        long max = maxSourceBytes();
        if (bytes > max) {
            String[] shown = distinct(bytes(bytes), bytes(max), bytes + " bytes", max + " bytes");
            throw new UnprocessableSourceException("the source is " + shown[0] + "; this deployment takes sources up to "
                    + shown[1] + " (reelroute.limits.max-source-bytes): trim or compress it and upload again");
        }
    }

    /**
     * The checks of {@link #check(VideoProbe, int)} but the segment count, for a pipeline that does not split its
     * source.
     */
    public void check(VideoProbe probe) {
        check(probe, 0);
    }

    /**
     * Checks a probed source: its duration, its frame as shown (width and height each against its own limit), its
     * frame rate (0, unknown, passes) and the number of segments of {@code segmentSeconds} the split would make of
     * it ({@code ceil(duration / segmentSeconds)}; not checked when {@code segmentSeconds} is 0 or less).
     *
     * @throws UnprocessableSourceException naming the first limit the source is over
     */
    public void check(VideoProbe probe, int segmentSeconds) {
        double seconds = probe.durationSeconds();
        double maxSeconds = limits.maxDuration().getSeconds() + limits.maxDuration().getNano() / 1e9;
        if (seconds > maxSeconds) {
            String[] shown = distinct(duration(seconds), duration(maxSeconds), number(seconds, 3) + " s",
                    number(maxSeconds, 3) + " s");
            throw new UnprocessableSourceException("the source lasts " + shown[0] + "; this deployment takes sources up to "
                    + shown[1] + " long (reelroute.limits.max-duration): trim it, or split it into parts, and upload again");
        }
        if (probe.width() > limits.maxWidth() || probe.height() > limits.maxHeight()) {
            String over = probe.width() > limits.maxWidth() && probe.height() > limits.maxHeight()
                    ? "reelroute.limits.max-width and max-height"
                    : probe.width() > limits.maxWidth() ? "reelroute.limits.max-width" : "reelroute.limits.max-height";
            throw new UnprocessableSourceException("the source's frame is " + probe.width() + "x" + probe.height()
                    + " pixels; this deployment takes frames up to " + limits.maxWidth() + " wide and "
                    + limits.maxHeight() + " high (" + over + "): scale it down and upload again");
        }
        double rate = probe.frameRate();
        if (rate > limits.maxFrameRate() * (1 + FRAME_RATE_TOLERANCE)) {
            throw new UnprocessableSourceException("the source runs at " + number(rate, 2)
                    + " frames a second; this deployment takes up to " + number(limits.maxFrameRate(), 2)
                    + " frames a second (reelroute.limits.max-frame-rate): convert it to a lower frame rate and upload again");
        }
        if (segmentSeconds > 0) {
            long segments = (long) Math.ceil(seconds / segmentSeconds);
            if (segments > limits.maxSegments()) {
                long fitting = (long) Math.ceil(seconds / limits.maxSegments());
                throw new UnprocessableSourceException("the source of " + duration(seconds) + " would be split into "
                        + segments + " segments of " + segmentSeconds + " s; this deployment makes at most "
                        + limits.maxSegments() + " segments of a source (reelroute.limits.max-segments): a longer "
                        + "segment_seconds (" + fitting + " or more) or a shorter source fits");
            }
        }
    }

    /** {@code first} and {@code second}, or the precise forms when the human forms read the same. */
    private static String[] distinct(String first, String second, String preciseFirst, String preciseSecond) {
        return first.equals(second) ? new String[] {preciseFirst, preciseSecond} : new String[] {first, second};
    }

    /** Bytes in the units settings are written in (KB, MB, GB, TB: powers of 1024), to one decimal. */
    static String bytes(long bytes) {
        String[] units = {"KB", "MB", "GB", "TB"};
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return number(value, 1) + " " + units[unit];
    }

    /** A duration as a person reads it: {@code 4 h}, {@code 1 h 5 min 3 s}, {@code 12.5 s}. */
    static String duration(double seconds) {
        if (seconds < 60) {
            return number(seconds, 1) + " s";
        }
        long whole = Math.round(seconds);
        long hours = whole / 3600;
        long minutes = whole % 3600 / 60;
        long rest = whole % 60;
        StringBuilder text = new StringBuilder();
        if (hours > 0) {
            text.append(hours).append(" h");
        }
        if (minutes > 0) {
            text.append(text.isEmpty() ? "" : " ").append(minutes).append(" min");
        }
        if (rest > 0) {
            text.append(text.isEmpty() ? "" : " ").append(rest).append(" s");
        }
        return text.toString();
    }

    /** At most {@code decimals} decimals, without trailing zeros: 20, 25.3, 29.97. */
    private static String number(double value, int decimals) {
        String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
        return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }
}
