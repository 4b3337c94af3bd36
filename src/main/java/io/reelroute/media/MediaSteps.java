package io.reelroute.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;

/**
 * The ffprobe and ffmpeg runs the kit's media hops name as steps of their own: probe a source, split it into
 * segments, join segments into one file. Each runs through {@link ProcessRunner} (argument list, timeout that
 * kills the program and its children, output to a log in the work folder) and fails the job in the phase it
 * serves (probe, chunking, reassembly) with the tail of that log.
 */
@Component("mediaSteps")
public class MediaSteps {

    private static final Logger LOG = LoggerFactory.getLogger(MediaSteps.class);
    private static final Pattern PTS_TIME = Pattern.compile("pts_time:([0-9.]+)");
    /** The names the split gives its segments ({@link MediaCommands#split}); a lead-in's work file is not one. */
    private static final Pattern SEGMENT_FILE = Pattern.compile("[0-9]{5}\\.mp4");

    /**
     * What a split wrote: the segment files in order, and where the last one ends in the source (seconds, from
     * ffmpeg's segment list), when ffmpeg said.
     */
    public record Segments(List<Path> files, OptionalDouble mediaEndSeconds) {
    }

    private final FileProbe probe;
    private final MediaTools tools;
    private final Duration splitTimeout;
    private final Duration joinTimeout;

    @Autowired
    public MediaSteps(FileProbe probe, MediaTools tools, ReelRouteProperties properties) {
        this(probe, tools, properties.media().splitTimeout(), properties.reassembly().concatTimeout());
    }

    public MediaSteps(FileProbe probe, MediaTools tools, Duration splitTimeout, Duration joinTimeout) {
        this.probe = probe;
        this.tools = tools;
        this.splitTimeout = splitTimeout;
        this.joinTimeout = joinTimeout;
    }

    /**
     * ffprobe on an uploaded source. A source it can't read is bad input, not a fault of ours: the job fails in
     * phase probe without retry, with what ffprobe said about "source" (not the work folder's path).
     */
    public VideoProbe probe(Path source) throws IOException {
        try {
            return probe.probe(source, "source");
        } catch (FileProbe.Unreadable unreadable) {
            throw new UnprocessableSourceException("the source is not a decodable video: " + unreadable.detail());
        }
    }

    /**
     * A segment the split has finished writing, handed on while ffmpeg goes on with the next: called in the order of
     * the segments, on the thread that runs the split. If it throws, the split stops and the exception is the
     * split's.
     */
    @FunctionalInterface
    public interface FinishedSegment {
        void accept(int index, Path file) throws IOException;
    }

    /**
     * ffmpeg: splits {@code source} by stream copy into segments of about {@code segmentSeconds}, cut at keyframes,
     * in {@code outDir} ({@link MediaCommands#split}), for a source known to be H.264 and AAC (tests, benchmarks). A
     * failure fails the job in phase chunking.
     */
    public Segments split(Path source, Path outDir, int segmentSeconds) throws IOException {
        return split(source, outDir, segmentSeconds, false, SegmentPlan.COPY, 0, (index, file) -> { });
    }

    /** As {@link #split(Path, Path, int, boolean, VideoProbe, FinishedSegment)}, handing nothing on. */
    public Segments split(Path source, Path outDir, int segmentSeconds, boolean snapToScenes, VideoProbe probe)
            throws IOException {
        return split(source, outDir, segmentSeconds, snapToScenes, probe, (index, file) -> { });
    }

    /**
     * ffmpeg: splits {@code source}, which {@code probe} describes, into MP4 segments of about {@code segmentSeconds}
     * in {@code outDir}, by stream copy or through a mezzanine as {@link SegmentPlan#of} decides, and hands each
     * segment to {@code finished} as soon as ffmpeg has written it. With {@code snapToScenes}, each cut moves to the
     * nearest scene change within half a segment of it (found by a pass of ffmpeg's scene detection over the source),
     * so that a model sees no cut in the middle of a shot where the picture allows. A failure fails the job in phase
     * chunking, with what to do.
     */
    public Segments split(Path source, Path outDir, int segmentSeconds, boolean snapToScenes, VideoProbe probe,
            FinishedSegment finished) throws IOException {
        SegmentPlan plan = SegmentPlan.of(probe);
        if (!plan.copyVideo()) {
            LOG.info("The source is re-encoded to H.264 as it is split: {}", String.join("; ", plan.reasons()));
        }
        return split(source, outDir, segmentSeconds, snapToScenes, plan, probe.durationSeconds(), finished);
    }

    private Segments split(Path source, Path outDir, int segmentSeconds, boolean snapToScenes, SegmentPlan plan,
            double durationSeconds, FinishedSegment finished) throws IOException {
        Files.createDirectories(outDir);
        List<String> args = snapToScenes
                ? MediaCommands.split(source, outDir, snappedCuts(segmentSeconds, durationSeconds, sceneChanges(source, outDir)), plan)
                : MediaCommands.split(source, outDir, segmentSeconds, plan);
        FinishedSegments segments = new FinishedSegments(outDir, finished);
        Path log = outDir.resolve("split.log");
        ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), args, splitTimeout, log, segments::handOnClosed);
        if (!result.succeeded()) {
            throw MediaCommandException.of(FailurePhase.CHUNKING, "ffmpeg", result, splitTimeout, "the source");
        }
        return new Segments(segments.handOnAll(), mediaEnd(outDir.resolve(MediaCommands.SEGMENT_LIST)));
    }

    /**
     * The segments of a running split, handed on in order once ffmpeg has closed them. The segment muxer opens the
     * next file only after closing the one before (its list entry is written before the close, so the list can't
     * say), so every file but the newest is complete while ffmpeg runs, and all of them once it has ended.
     */
    private static final class FinishedSegments {
        private final Path dir;
        private final FinishedSegment finished;
        private final List<Path> handedOn = new ArrayList<>();

        FinishedSegments(Path dir, FinishedSegment finished) {
            this.dir = dir;
            this.finished = finished;
        }

        void handOnClosed() throws IOException {
            List<Path> written = written();
            handOn(written.subList(0, Math.max(handedOn.size(), written.size() - 1)));
        }

        List<Path> handOnAll() throws IOException {
            handOn(written());
            return List.copyOf(handedOn);
        }

        private void handOn(List<Path> closed) throws IOException {
            for (Path file : closed.subList(handedOn.size(), closed.size())) {
                finished.accept(handedOn.size(), file);
                handedOn.add(file);
            }
        }

        /** The segment files ffmpeg has opened, in order (00000.mp4, 00001.mp4, ...). */
        private List<Path> written() throws IOException {
            try (Stream<Path> listing = Files.list(dir)) {
                return listing.filter(p -> SEGMENT_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
            }
        }
    }

    /**
     * ffmpeg: the source's audio tracks, text subtitles and chapters, with their languages and titles, into
     * {@code dir/tracks.mkv} for the join ({@link MediaCommands#tracks}); null when the source has no audio and no
     * text subtitles. Bitmap subtitles (DVD, PGS) can't become MP4 timed text and are left out, as the log says.
     */
    public Path tracks(Path source, Path dir, VideoProbe probe) throws IOException {
        SegmentPlan.Tracks tracks = SegmentPlan.tracks(probe);
        int bitmaps = probe.subtitleCodecs().size() - (tracks == null ? 0 : tracks.textSubtitles().size());
        if (bitmaps > 0) {
            LOG.info("{} bitmap subtitle track(s) of the source are left out: MP4 holds text subtitles only", bitmaps);
        }
        if (tracks == null) {
            return null;
        }
        Path output = dir.resolve("tracks.mkv");
        run(MediaCommands.tracks(source, output, tracks), splitTimeout, dir.resolve("tracks.log"), FailurePhase.CHUNKING,
                "the source's audio and subtitles");
        return output;
    }

    /**
     * ffmpeg: gives every segment but the first a lead-in of {@code leadInSeconds} from the one before
     * ({@link #leadIns}).
     */
    public void addLeadIns(Path source, Segments segments, double leadInSeconds, VideoProbe probe) throws IOException {
        LeadIns leadIns = leadIns(source, leadInSeconds, probe);
        for (int i = 0; i < segments.files().size(); i++) {
            leadIns.add(i, segments.files().get(i));
        }
    }

    /**
     * Lead-ins of {@code leadInSeconds} (as whole frames at the frame rate {@code probe} gives) for the segments of
     * one split of {@code source}, for a model whose temporal state must warm up at each cut: segment i is cut again
     * from the source, from its start less the lead-in to its end, frame-accurately (decoded and encoded as H.264 at
     * CRF 16, audio as AAC). The join removes the lead-in again ({@link #join}). Nothing to do for 0, or an unknown
     * frame rate.
     */
    public LeadIns leadIns(Path source, double leadInSeconds, VideoProbe probe) {
        return new LeadIns(source, Math.round(leadInSeconds * probe.frameRate()), probe.frameRate(),
                SegmentPlan.of(probe).videoFilters());
    }

    /** The lead-ins of one split's segments, added to each in turn ({@link #leadIns}). */
    public final class LeadIns {
        private final Path source;
        private final long leadFrames;
        private final double frameRate;
        private final List<String> filters;
        private int next;
        /** Where the next segment starts, in frames of the source: the split's own times are a packet's, not a frame's. */
        private long firstFrame;

        private LeadIns(Path source, long leadFrames, double frameRate, List<String> filters) {
            this.source = source;
            this.leadFrames = leadFrames;
            this.frameRate = frameRate;
            this.filters = filters;
        }

        /** Adds its lead-in to segment {@code index} of the split, in place; the segments must come in order. */
        public void add(int index, Path segment) throws IOException {
            if (leadFrames <= 0) {
                return;
            }
            if (index != next) {
                throw new IllegalStateException("lead-in of segment " + index + " asked for before segment " + next);
            }
            long frames = frames(segment);
            if (index > 0) {
                long lead = Math.min(leadFrames, firstFrame);
                // Accurate seek (decode from the keyframe before) to the first lead-in frame, audio from the same instant.
                double from = (firstFrame - lead) / frameRate;
                Path cut = segment.resolveSibling("lead-" + segment.getFileName());
                List<String> args = new ArrayList<>(List.of("-nostdin", "-nostats", "-loglevel", "error", "-y",
                        "-ss", seconds(Math.max(0, from))));
                args.addAll(MediaCommands.input(source));
                args.addAll(List.of("-map", "0:v:0", "-map", "0:a:0?", "-frames:v", Long.toString(lead + frames),
                        // The mezzanine's corrections (deinterlace, tone map, square pixels), if the split made one.
                        "-vf", filters.isEmpty() ? "null" : String.join(",", filters),
                        // The frame count bounds the video; half a frame more keeps -t from dropping the last one.
                        "-t", seconds((lead + frames + 0.5) / frameRate),
                        "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart", cut.toString()));
                run(args, splitTimeout, segment.resolveSibling("lead-" + index + ".log"), FailurePhase.CHUNKING, "the source");
                Files.move(cut, segment, StandardCopyOption.REPLACE_EXISTING);
            }
            firstFrame += frames;
            next++;
        }
    }

    /** The times of the source's scene changes, in seconds. */
    private List<Double> sceneChanges(Path source, Path dir) throws IOException {
        Path log = dir.resolve("scenes.log");
        run(MediaCommands.sceneChanges(source), splitTimeout, log, FailurePhase.CHUNKING, "the source");
        List<Double> times = new ArrayList<>();
        Matcher time = PTS_TIME.matcher(Files.readString(log));
        while (time.find()) {
            times.add(Double.parseDouble(time.group(1)));
        }
        return times;
    }

    /**
     * The cuts every {@code segmentSeconds} of a {@code durationSeconds} video, each moved to the scene change
     * nearest to it within half a segment (none of them closer than a second to the cut before, or to the end).
     */
    static List<Double> snappedCuts(int segmentSeconds, double durationSeconds, List<Double> scenes) {
        List<Double> cuts = new ArrayList<>();
        double previous = 0;
        for (double nominal = segmentSeconds; nominal < durationSeconds - 1; nominal += segmentSeconds) {
            double cut = nominal;
            double best = segmentSeconds / 2.0;
            for (double scene : scenes) {
                if (Math.abs(scene - nominal) <= best && scene > previous + 1 && scene < durationSeconds - 1) {
                    best = Math.abs(scene - nominal);
                    cut = scene;
                }
            }
            cuts.add(cut);
            previous = cut;
        }
        return cuts;
    }

    /** The frames of a video's first video stream: its packets, counted without decoding. */
    private long frames(Path video) throws IOException {
        Path log = video.resolveSibling(video.getFileName() + ".frames.log");
        List<String> args = new ArrayList<>(List.of("-v", "error", "-select_streams", "v:0",
                "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "default=noprint_wrappers=1:nokey=1"));
        args.addAll(MediaCommands.input(video));
        ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), args, splitTimeout, log);
        if (!result.succeeded()) {
            throw new MediaCommandException(FailurePhase.CHUNKING, "ffprobe", result, splitTimeout);
        }
        String text = Files.readString(log).strip();
        Files.deleteIfExists(log);
        return Long.parseLong(text.lines().reduce((first, last) -> last).orElse("0").strip());
    }

    private static String seconds(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }

    /** A part to join, and how long its picture lasts (null: as long as the file holds, audio included). */
    public record Part(Path file, Double pictureSeconds) {

        /** Files that each last as long as they hold. */
        public static List<Part> of(List<Path> files) {
            return files.stream().map(file -> new Part(file, null)).toList();
        }
    }

    /**
     * ffmpeg: joins {@code files}, in order, into {@code output} (the concat demuxer; its list is written beside the
     * output), by stream copy, or re-encoding the video as {@code reencode} says when it is not null, and returns
     * {@code output}. A failure fails the job in phase reassembly.
     */
    public Path join(List<Path> files, Path output, MediaCommands.Encoding reencode) throws IOException {
        return join(Part.of(files), output, reencode, 0, null);
    }

    /**
     * As {@link #join(List, Path, MediaCommands.Encoding)}, each part lasting as long as its picture where the part
     * says: a part's audio may run a few milliseconds past its picture (whole AAC frames), and the concat demuxer
     * would otherwise start the next part after the longer of the two, so the joined picture would drift from the
     * source's audio by that much at every seam (seconds, over a thousand segments). Every part but the first may
     * start with a lead-in of {@code leadInSeconds} ({@link #addLeadIns}), which is cut off first: frame-exactly, by
     * the part's own frame rate, re-encoding it as {@code reencode} says. The source's own audio, subtitles and
     * chapters come from {@code tracks} where it is not null ({@link MediaCommands#concat}).
     */
    public Path join(List<Part> parts, Path output, MediaCommands.Encoding reencode, double leadInSeconds,
            MediaCommands.SourceTracks tracks) throws IOException {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to join into " + output.getFileName());
        }
        if (leadInSeconds > 0) {
            MediaCommands.Encoding encoding = reencode == null ? new MediaCommands.Encoding("h264", 18, 0) : reencode;
            // Re-encoded frame-exactly with their audio trimmed alike: they last what they hold.
            List<Part> trimmed = new ArrayList<>(List.of(new Part(encode(parts.get(0).file(), 0, encoding), null)));
            for (int i = 1; i < parts.size(); i++) {
                trimmed.add(new Part(encode(parts.get(i).file(), leadInSeconds, encoding), null));
            }
            parts = trimmed;
            reencode = null;
        }
        List<String> lines = new ArrayList<>(parts.size() * 2);
        for (Part part : parts) {
            // The concat demuxer's quoting: a quote inside a quoted name is written '\''.
            lines.add("file '" + part.file().toAbsolutePath().toString().replace("'", "'\\''") + "'");
            if (part.pictureSeconds() != null) {
                lines.add("duration " + seconds(part.pictureSeconds()));
            }
        }
        Path list = output.resolveSibling(output.getFileName() + ".concat.txt");
        Files.write(list, lines, StandardCharsets.UTF_8);
        run(MediaCommands.concat(list, output, reencode, tracks), joinTimeout, output.resolveSibling(output.getFileName() + ".log"),
                FailurePhase.REASSEMBLY, "a segment's output");
        return output;
    }

    /**
     * One part encoded alike with the others (so that they join by stream copy), without its first
     * {@code leadInSeconds}: as many frames as that is at the part's frame rate, and the audio from that time.
     */
    private Path encode(Path part, double leadInSeconds, MediaCommands.Encoding encoding) throws IOException {
        VideoProbe video = probe.probe(part, part.getFileName().toString());
        long frames = Math.round(leadInSeconds * video.frameRate());
        Path out = part.resolveSibling("trimmed-" + part.getFileName());
        List<String> args = new ArrayList<>(List.of("-nostdin", "-nostats", "-loglevel", "error", "-y"));
        args.addAll(MediaCommands.input(part));
        args.addAll(List.of("-vf", "trim=start_frame=" + frames + ",setpts=PTS-STARTPTS", "-map", "0:v:0"));
        if (video.hasAudio()) {
            args.addAll(List.of("-af", "atrim=start=" + seconds(frames / Math.max(video.frameRate(), 1e-6)) + ",asetpts=PTS-STARTPTS",
                    "-map", "0:a:0", "-c:a", "aac", "-b:a", "192k"));
        }
        args.addAll(MediaCommands.encoder(encoding.encoder(), encoding.crf(), encoding.framePacking()));
        args.add(out.toString());
        run(args, joinTimeout, part.resolveSibling(part.getFileName() + ".trim.log"), FailurePhase.REASSEMBLY,
                "the output of segment " + part.getFileName());
        return out;
    }

    /** Runs ffmpeg; a failure fails the job in {@code phase}, saying what went wrong with {@code what}. */
    private void run(List<String> args, Duration timeout, Path log, FailurePhase phase, String what) throws IOException {
        ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), args, timeout, log);
        if (!result.succeeded()) {
            throw MediaCommandException.of(phase, "ffmpeg", result, timeout, what);
        }
    }

    /** The end time of the last segment in ffmpeg's CSV segment list ({@code name,start,end}), if it says. */
    private static OptionalDouble mediaEnd(Path list) throws IOException {
        if (!Files.exists(list)) {
            return OptionalDouble.empty();
        }
        List<String> lines = Files.readAllLines(list).stream().filter(line -> !line.isBlank()).toList();
        if (lines.isEmpty()) {
            return OptionalDouble.empty();
        }
        String last = lines.get(lines.size() - 1);
        try {
            return OptionalDouble.of(Double.parseDouble(last.substring(last.lastIndexOf(',') + 1).strip()));
        } catch (NumberFormatException unreadable) {
            return OptionalDouble.empty();
        }
    }
}
