package io.reelroute.media;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;

/**
 * ffmpeg or ffprobe ended with a non-zero exit (or ran out of time) on the job's own media. Running it again would
 * end the same way, so the job fails in the phase the run served, with a reason a person can act on (what was
 * found, what to do) and, as its {@link #detail()}, the tail of the tool's output with the folders of paths taken out. A program that
 * was killed is not the media's fault: {@link #of} says so, and that run is retried instead.
 */
public class MediaCommandException extends PermanentJobFailure {

    private static final Pattern NO_DECODER = Pattern.compile("(?:Decoder \\(codec ([\\w-]+)\\) not found|no decoder found for: ([\\w-]+))");
    private static final Pattern NO_TAG = Pattern.compile("Could not find tag for codec ([\\w-]+)");
    /** The folders of an absolute path: what precedes a file's name. */
    private static final Pattern FOLDERS = Pattern.compile("(?<![\\w.])(?:/[\\w.+-]+)+/");
    private static final Pattern DAMAGED = Pattern.compile(
            "Decode error rate|Invalid data found when processing input|Error while decoding|corrupt|Invalid NAL unit"
                    + "|moov atom not found|Truncat|invalid frame header|header damaged|Could not open encoder before EOF",
            Pattern.CASE_INSENSITIVE);

    /** Exit codes of a program killed by a signal (SIGKILL from the OOM killer, SIGTERM at shutdown). */
    private static final int KILLED = 137;
    private static final int TERMINATED = 143;
    /**
     * ffmpeg's exit when more of the input failed to decode than -max_error_rate allows: its "Decode error rate"
     * line may be missing from the output's tail, which threads write in no fixed order.
     */
    private static final int DECODE_ERRORS = 69;

    /** A program that was killed: nothing about the media is known, so the run is retried. */
    public static final class Killed extends java.io.IOException {
        Killed(String message) {
            super(message);
        }
    }

    public MediaCommandException(FailurePhase phase, String tool, ProcessRunner.Result result, Duration timeout) {
        this(phase, tool, result, timeout, "the media");
    }

    private MediaCommandException(FailurePhase phase, String tool, ProcessRunner.Result result, Duration timeout,
            String what) {
        super(phase, reason(tool, result, timeout, what), detail(tool, clean(result.tail())));
    }

    /**
     * The failure of a run of {@code tool} on {@code what} (e.g. "the source"), with the folders of paths taken out
     * of its output; a killed program is thrown as {@link Killed}, to be retried.
     */
    public static MediaCommandException of(FailurePhase phase, String tool, ProcessRunner.Result result, Duration timeout,
            String what) throws Killed {
        if (!result.timedOut() && (result.exitCode() == KILLED || result.exitCode() == TERMINATED)) {
            throw new Killed(tool + " was killed (exit " + result.exitCode() + ") while working on " + what);
        }
        return new MediaCommandException(phase, tool, result, timeout, what);
    }

    /** What went wrong and what to do, for the person who supplied the media. */
    static String reason(String tool, ProcessRunner.Result result, Duration timeout, String what) {
        if (result.timedOut()) {
            return tool + " did not finish with " + what + " within " + timeout.toSeconds()
                    + " s; a shorter video, or a longer timeout in the deployment's settings, will pass";
        }
        String tail = result.tail();
        Matcher decoder = NO_DECODER.matcher(tail);
        if (decoder.find()) {
            String codec = decoder.group(1) != null ? decoder.group(1) : decoder.group(2);
            return "a stream of " + what + " is " + codec + ", which this build of ffmpeg can't decode"
                    + (source(what) ? "; export the video as H.264, HEVC or ProRes 422 and upload it again" : "");
        }
        Matcher tag = NO_TAG.matcher(tail);
        if (tag.find()) {
            return "a stream of " + what + " is " + tag.group(1) + ", which can't be written where it was going"
                    + (source(what) ? "; export the video as H.264 or HEVC in MP4 and upload it again" : "");
        }
        if (DAMAGED.matcher(tail).find() || (tool.equals("ffmpeg") && result.exitCode() == DECODE_ERRORS)) {
            return what + " is damaged: " + tool + " could not read its data"
                    + (source(what) ? "; export or copy the file again and upload it" : "");
        }
        return tool + " " + result.ending(timeout) + " on " + what;
    }

    /** Whether the media is the uploaded source, which its owner can export again (rather than a model's output). */
    private static boolean source(String what) {
        return what.startsWith("the source");
    }

    private static String detail(String tool, String output) {
        return output.isBlank() ? null : tool + ": " + output;
    }

    /** The output with the folders of file paths taken out (they mean nothing to a person) and lines joined. */
    static String clean(String tail) {
        return FOLDERS.matcher(tail).replaceAll("").lines().map(String::strip).filter(line -> !line.isEmpty()).reduce((a, b) -> a + "; " + b).orElse("");
    }
}
