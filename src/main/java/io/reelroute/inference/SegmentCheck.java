package io.reelroute.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.StereoFormat;
import io.reelroute.contract.StereoParams;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.VideoProbe;

/**
 * The check of a model's output for one segment, before it counts as complete: a model that exits 0 may still
 * have written something no one wants. The output must be a decodable video of the frame its format makes of the
 * input (within 2 pixels), with the input's frames (within the conversion to {@code max_fps}, and 2 frames or 2%),
 * not black nor frozen from start to end, and, for a side-by-side, top-bottom or cross-eyed format with a
 * strength above 0, with two views that differ. A failure is an {@link InferenceFailure} naming the segment and
 * what is wrong: retried like a model that failed, then it fails the job.
 */
@Component
public class SegmentCheck {

    /**
     * Mean luma difference (0 to 255) under which the views count as one picture: the same frame encoded twice
     * differs by about 0.5, a 2-pixel parallax on a detailed picture by about 6.
     */
    private static final double IDENTICAL_VIEWS = 1.5;
    private static final Pattern BLACK = Pattern.compile("black_start:([0-9.]+) black_end:([0-9.]+)");
    private static final Pattern FREEZE_START = Pattern.compile("freeze_start: ([0-9.]+)");
    private static final Pattern FREEZE_END = Pattern.compile("freeze_end: ([0-9.]+)");

    private final MediaTools tools;
    private final ObjectMapper mapper;
    private final Duration timeout;

    @Autowired
    public SegmentCheck(MediaTools tools, ObjectMapper mapper, ReelRouteProperties properties) {
        this(tools, mapper, properties.media().probeTimeout());
    }

    public SegmentCheck(MediaTools tools, ObjectMapper mapper, Duration timeout) {
        this.tools = tools;
        this.mapper = mapper;
        this.timeout = timeout;
    }

    /** What ffprobe counts of a video: its frame, frames and rate, and how long it lasts. */
    record Counted(int width, int height, long frames, double fps, double seconds) {
    }

    /**
     * @throws InferenceFailure when the output at {@code work.outputFile()} is not what the model should have made
     *         of {@code work.inputFile()}
     */
    public void check(SegmentWork work) throws IOException {
        StereoParams params = work.params();
        Counted input = count(work.inputFile());
        if (input == null) {
            throw new IllegalStateException(work.describe() + ": its input is not a readable video");
        }
        Counted output = count(work.outputFile());
        if (output == null) {
            throw failure(work, "the model's output is not a readable video");
        }
        StereoFormat format = params.format();
        int width = format.width(input.width());
        int height = format.height(input.height());
        if (Math.abs(output.width() - width) > 2 || Math.abs(output.height() - height) > 2) {
            throw failure(work, "the model's output is " + output.width() + "x" + output.height() + ", expected " + width + "x"
                    + height + " (" + format.id() + " of a " + input.width() + "x" + input.height() + " segment)");
        }
        double expectedFrames = input.frames() * Math.min(1.0, params.maxFps() / Math.max(input.fps(), 1e-6));
        if (Math.abs(output.frames() - expectedFrames) > Math.max(2, expectedFrames * 0.02)) {
            throw failure(work, String.format(Locale.ROOT, "the model's output has %d frames, expected about %.0f for %d input frames at %.3g fps",
                    output.frames(), expectedFrames, input.frames(), input.fps()));
        }
        boolean twoViews = format != StereoFormat.ANAGLYPH && params.divergence() > 0;
        Path middleFrame = twoViews ? work.workDir().resolve("check-frame.gray") : null;
        String still = stillThroughout(work.outputFile(), output, middleFrame);
        if (still != null) {
            throw failure(work, "the model's output is " + still + " from start to end");
        }
        if (twoViews && viewDifference(work, format, output, middleFrame) < IDENTICAL_VIEWS) {
            throw failure(work, "the model's output has two identical views (no depth) at strength " + params.divergence());
        }
    }

    private static InferenceFailure failure(SegmentWork work, String what) {
        return new InferenceFailure(work.describe() + ": " + what);
    }

    /** ffprobe's count of the first video stream's packets (its frames, without decoding), or null if unreadable. */
    private Counted count(Path video) throws IOException {
        Path log = Files.createTempFile("reelroute-check-", ".log");
        try {
            List<String> args = new ArrayList<>(List.of("-v", "error", "-select_streams", "v:0", "-count_packets",
                    "-show_entries", "stream=width,height,nb_read_packets,avg_frame_rate:format=duration", "-of", "json"));
            args.addAll(MediaCommands.input(video));
            ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), args, timeout, log);
            if (!result.succeeded()) {
                return null;
            }
            String text = Files.readString(log);
            JsonNode root = mapper.readTree(text.substring(Math.max(0, text.indexOf('{'))));
            JsonNode stream = root.path("streams").path(0);
            if (stream.isMissingNode() || stream.path("width").asInt() == 0) {
                return null;
            }
            return new Counted(stream.path("width").asInt(), stream.path("height").asInt(), stream.path("nb_read_packets").asLong(),
                    VideoProbe.rate(stream.path("avg_frame_rate").asText("0/1")), root.path("format").path("duration").asDouble());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * "black" or "frozen" when one of them lasts the whole video (less a frame or two), else null. The same decode
     * writes the middle frame's luma to {@code middleFrame} where it is not null, for {@link #viewDifference}: one
     * pass over the output instead of two.
     */
    private String stillThroughout(Path video, Counted counted, Path middleFrame) throws IOException {
        Path log = Files.createTempFile("reelroute-check-", ".log");
        try {
            List<String> args = new ArrayList<>(List.of("-nostdin", "-nostats", "-hide_banner", "-y"));
            args.addAll(MediaCommands.input(video));
            String detect = "blackdetect=d=0.1:pix_th=0.10,freezedetect=n=0.001:d=0.5";
            if (middleFrame == null) {
                args.addAll(List.of("-map", "0:v:0", "-vf", detect, "-f", "null", "-"));
            } else {
                // One chain: the detectors see every frame, and select lets the middle one alone through to the file
                // (a split into a second output took about 2.5 times the CPU, for the decode and the detectors).
                args.addAll(List.of("-map", "0:v:0", "-vf", detect + ",select='eq(n," + counted.frames() / 2 + ")',format=gray",
                        "-fps_mode", "passthrough", "-f", "rawvideo", middleFrame.toString()));
            }
            ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), args, timeout, log);
            if (!result.succeeded()) {
                return null;
            }
            String text = Files.readString(log);
            double whole = Math.max(0.1, counted.seconds() - 0.2);
            Matcher black = BLACK.matcher(text);
            while (black.find()) {
                if (Double.parseDouble(black.group(2)) - Double.parseDouble(black.group(1)) >= whole) {
                    return "black";
                }
            }
            Matcher start = FREEZE_START.matcher(text);
            if (start.find() && Double.parseDouble(start.group(1)) <= 0.2) {
                Matcher end = FREEZE_END.matcher(text);
                // A freeze that never ends lasts to the end of the video.
                if (!end.find() || Double.parseDouble(end.group(1)) >= whole) {
                    return "frozen";
                }
            }
            return null;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The mean difference of the two views' luma in the output's middle frame, which {@link #stillThroughout} wrote to {@code raw}. */
    private double viewDifference(SegmentWork work, StereoFormat format, Counted output, Path raw) throws IOException {
        if (!Files.exists(raw)) {
            throw failure(work, "could not read a frame of the model's output");
        }
        byte[] luma = Files.readAllBytes(raw);
        Files.deleteIfExists(raw);
        int w = output.width();
        int h = output.height();
        if (luma.length < (long) w * h) {
            throw failure(work, "could not read a whole frame of the model's output");
        }
        boolean sideBySide = format == StereoFormat.FULL_SBS || format == StereoFormat.HALF_SBS || format == StereoFormat.CROSS_EYED;
        long sum = 0;
        long count = 0;
        for (int y = 0; y < (sideBySide ? h : h / 2); y++) {
            for (int x = 0; x < (sideBySide ? w / 2 : w); x++) {
                int first = luma[y * w + x] & 0xff;
                int second = sideBySide ? luma[y * w + w / 2 + x] & 0xff : luma[(y + h / 2) * w + x] & 0xff;
                sum += Math.abs(first - second);
                count++;
            }
        }
        return count == 0 ? 0 : (double) sum / count;
    }
}
