package io.reelroute.media;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.reelroute.contract.Params;
import io.reelroute.contract.StereoParams;

/**
 * Argument lists for the ffmpeg and ffprobe runs ({@link ProcessRunner}), built here so that no shell ever
 * parses them. Output stays quiet ({@code -nostats -loglevel error}) so that the tail of the log a failed run
 * leaves is its error, and ffmpeg never reads standard input ({@code -nostdin}), where a stray 'q' would stop it.
 */
public final class MediaCommands {

    /** The split's list of segments: one line per segment, {@code name,start,end} (seconds in the source). */
    public static final String SEGMENT_LIST = "segments.csv";

    /**
     * The containers a source may come in, as ffmpeg names its demuxers (any one name of a demuxer's list admits it):
     * MP4/MOV and its kin, Matroska/WebM, AVI, MPEG-TS, MXF, FLV, MPEG-PS, ASF/WMV, Ogg, and the audio files WAV,
     * MP3, AAC and FLAC. Playlists (HLS, DASH), concat lists, image sequences, raw and text formats are left out:
     * they make ffmpeg open other files or URLs that the upload names.
     */
    public static final String DEFAULT_DEMUXERS =
            "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mxf,flv,mpeg,asf,ogg,wav,mp3,aac,flac";
    /** The protocols a local input may use: its file, nothing it points at elsewhere. */
    static final String FILE_PROTOCOLS = "file";
    /** The protocols a presigned URL's input may use ({@link RemoteMedia}): HTTPS and what it runs on. */
    static final String REMOTE_PROTOCOLS = "file,http,https,tcp,tls,crypto";
    private static final Pattern DEMUXER_LIST = Pattern.compile("[a-z0-9_]+(,[a-z0-9_]+)*");

    /** reelroute.media.demuxers: one list per process, set where the settings are read ({@link MediaTools}). */
    private static volatile String demuxers = DEFAULT_DEMUXERS;

    private MediaCommands() {
    }

    /** Sets the demuxers every input may be opened with ({@link #DEFAULT_DEMUXERS} when blank). */
    public static void allowDemuxers(String list) {
        String value = list == null || list.isBlank() ? DEFAULT_DEMUXERS : list.replace(" ", "").toLowerCase(Locale.ROOT);
        if (!DEMUXER_LIST.matcher(value).matches()) {
            throw new IllegalArgumentException("reelroute.media.demuxers must be a comma-separated list of ffmpeg demuxer names, was " + list);
        }
        demuxers = value;
    }

    /** The demuxers inputs may be opened with now. */
    public static String demuxers() {
        return demuxers;
    }

    /**
     * The input options and {@code -i} of every ffmpeg and ffprobe run that opens media: local files only, in one of
     * the allowed containers ({@link #allowDemuxers}). A source that is a playlist or a concat list (which would
     * make ffmpeg read other files of this machine, or URLs, that the upload names) fails to open: "Format not on
     * whitelist".
     */
    public static List<String> input(Path file) {
        return List.of("-protocol_whitelist", FILE_PROTOCOLS, "-format_whitelist", demuxers, "-i", file.toString());
    }

    /** As {@link #input(Path)}, of a local file or of a presigned HTTP(S) URL, which may use the protocols HTTPS needs. */
    public static List<String> input(String fileOrUrl) {
        boolean remote = fileOrUrl.startsWith("https://") || fileOrUrl.startsWith("http://");
        return List.of("-protocol_whitelist", remote ? REMOTE_PROTOCOLS : FILE_PROTOCOLS, "-format_whitelist", demuxers,
                "-i", fileOrUrl);
    }

    /**
     * The join's input: a concat list this process wrote, whose parts (local files in the allowed containers) the
     * concat demuxer opens with the same restrictions.
     */
    static List<String> concatInput(Path list) {
        return List.of("-f", "concat", "-safe", "0", "-protocol_whitelist", FILE_PROTOCOLS,
                "-format_whitelist", "concat," + demuxers, "-i", list.toString());
    }

    /** ffprobe: as {@link #probe(Path)}, of an HLS playlist this process wrote, read through to its own segments. */
    public static List<String> probePlaylist(Path playlist) {
        return List.of("-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-show_chapters",
                "-protocol_whitelist", FILE_PROTOCOLS, "-format_whitelist", "hls," + demuxers, "-i", playlist.toString());
    }

    /** ffmpeg's usual start: quiet, never reading standard input, overwriting its outputs. */
    private static List<String> quiet() {
        return List.of("-nostdin", "-nostats", "-loglevel", "error", "-y");
    }

    /** ffprobe: format, streams and chapters as JSON on stdout. */
    public static List<String> probe(Path source) {
        return probe(source.toString());
    }

    /** As {@link #probe(Path)}, of a file or URL. */
    public static List<String> probe(String source) {
        List<String> args = new ArrayList<>(List.of("-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                "-show_chapters"));
        args.addAll(input(source));
        return args;
    }

    /**
     * ffmpeg: split into segments of about {@code segmentSeconds} as {@code plan} says (by stream copy, cut at the
     * keyframe at or after each boundary, or re-encoded with a keyframe at each boundary), named {@code 00000.mp4,
     * 00001.mp4, ...} in {@code outDir}. The first video stream and the first audio stream (if any) are kept;
     * timestamps restart at zero in each segment. {@code outDir/}{@value #SEGMENT_LIST} lists the segments with
     * their start and end times in the source, so that where the media really ends can be compared with the
     * duration the source declares.
     */
    public static List<String> split(Path source, Path outDir, int segmentSeconds, SegmentPlan plan) {
        if (segmentSeconds < 1) {
            throw new IllegalArgumentException("segment duration must be at least 1 second, was " + segmentSeconds);
        }
        return segment(source, outDir, plan, "expr:gte(t,n_forced*" + segmentSeconds + ")",
                List.of("-segment_time", Integer.toString(segmentSeconds)));
    }

    /** As {@link #split(Path, Path, int, SegmentPlan)} by stream copy. */
    public static List<String> split(Path source, Path outDir, int segmentSeconds) {
        return split(source, outDir, segmentSeconds, SegmentPlan.COPY);
    }

    /** As {@link #split(Path, Path, int, SegmentPlan)}, cut at (the keyframe at or after) each of {@code cutSeconds} instead. */
    public static List<String> split(Path source, Path outDir, List<Double> cutSeconds, SegmentPlan plan) {
        if (cutSeconds.isEmpty()) {
            return segment(source, outDir, plan, "0", List.of("-segment_time", "86400"));
        }
        String times = String.join(",", cutSeconds.stream().map(t -> String.format(Locale.ROOT, "%.3f", t)).toList());
        return segment(source, outDir, plan, times, List.of("-segment_times", times));
    }

    private static List<String> segment(Path source, Path outDir, SegmentPlan plan, String keyframes, List<String> where) {
        List<String> args = new ArrayList<>(quiet());
        args.addAll(input(source));
        args.addAll(List.of("-map", "0:v:0", "-map", "0:a:0?"));
        args.addAll(codecs(plan, keyframes));
        args.addAll(List.of("-f", "segment"));
        args.addAll(where);
        args.addAll(List.of(
                "-segment_format", "mp4",
                "-reset_timestamps", "1",
                "-segment_list", outDir.resolve(SEGMENT_LIST).toString(),
                "-segment_list_type", "csv",
                outDir.resolve("%05d.mp4").toString()));
        return args;
    }

    /**
     * ffmpeg: a clip of {@code seconds} from {@code start} of {@code input} (a file or a presigned URL, read by the
     * ranges it needs), made as {@code plan} makes segments: stream copy from the keyframe at or before
     * {@code start}, or the mezzanine from exactly there.
     */
    public static List<String> clip(String input, double start, double seconds, SegmentPlan plan, Path output) {
        List<String> args = new ArrayList<>(quiet());
        args.addAll(List.of("-ss", String.format(Locale.ROOT, "%.3f", start)));
        args.addAll(input(input));
        args.addAll(List.of("-t", String.format(Locale.ROOT, "%.3f", seconds), "-map", "0:v:0", "-map", "0:a:0?"));
        args.addAll(codecs(plan, "0"));
        args.addAll(List.of("-avoid_negative_ts", "make_zero", "-movflags", "+faststart", output.toString()));
        return args;
    }

    /** The codec arguments of a plan: video copied, or the mezzanine with a keyframe where {@code keyframes} says. */
    private static List<String> codecs(SegmentPlan plan, String keyframes) {
        List<String> args = new ArrayList<>();
        if (plan.copyVideo()) {
            args.addAll(List.of("-c:v", "copy"));
        } else {
            // The mezzanine: every frame as it comes (variable rates stay variable), a keyframe at each cut.
            if (!plan.videoFilters().isEmpty()) {
                args.addAll(List.of("-vf", String.join(",", plan.videoFilters())));
            }
            args.addAll(List.of("-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "veryfast",
                    "-crf", Integer.toString(SegmentPlan.MEZZANINE_CRF), "-pix_fmt", "yuv420p",
                    "-force_key_frames", keyframes));
        }
        args.addAll(plan.copyAudio() ? List.of("-c:a", "copy") : List.of("-c:a", "aac", "-b:a", SegmentPlan.AAC_BITRATE));
        return args;
    }

    /**
     * ffmpeg: the source's tracks besides its picture, into one Matroska file (which holds any codec) for the join
     * to take from: every audio track (copied where MP4 holds its codec, else AAC), every text subtitle track (as
     * SubRip, which the join turns into MP4's timed text), and the chapters, each track with its language and title.
     */
    public static List<String> tracks(Path source, Path output, SegmentPlan.Tracks tracks) {
        List<String> args = new ArrayList<>(quiet());
        args.addAll(input(source));
        for (int i = 0; i < tracks.audioCopied().size(); i++) {
            args.addAll(List.of("-map", "0:a:" + i, "-c:a:" + i, tracks.audioCopied().get(i) ? "copy" : "aac"));
            if (!tracks.audioCopied().get(i)) {
                args.addAll(List.of("-b:a:" + i, SegmentPlan.AAC_BITRATE));
            }
        }
        for (int index : tracks.textSubtitles()) {
            args.addAll(List.of("-map", "0:s:" + index));
        }
        if (!tracks.textSubtitles().isEmpty()) {
            args.addAll(List.of("-c:s", "srt"));
        }
        args.addAll(List.of("-map_chapters", "0", "-f", "matroska", output.toString()));
        return args;
    }

    /**
     * ffmpeg: the scene changes of a video's picture (scene score above 0.3, on a small copy of each frame), printed
     * as {@code pts_time:} lines.
     */
    public static List<String> sceneChanges(Path source) {
        List<String> args = new ArrayList<>(List.of("-nostdin", "-nostats", "-hide_banner", "-loglevel", "error"));
        args.addAll(input(source));
        args.addAll(List.of("-map", "0:v:0",
                "-vf", "scale=160:-2,select='gt(scene,0.3)',metadata=mode=print:file=-", "-f", "null", "-"));
        return args;
    }

    /**
     * ffmpeg: the CPU stereo preview of one segment, not a depth model: the picture as a flat plane behind the
     * screen, the two views {@code divergence} percent of the frame's width apart (a strength of 0 gives two
     * identical views), the shift divided between the eyes by {@code convergence} (0 moves only the left view, 1
     * only the right). The views are packed as the format says (full or half side-by-side, full or half
     * top-bottom, cross-eyed with the right view on the left, or an anaglyph by its method), encoded with the
     * params' encoder and CRF at no more than {@code max_fps}, and side-by-side and top-bottom H.264 carry the
     * frame-packing SEI that players read. 4:2:0 with the source's audio copied, so browsers and HLS packagers
     * take it.
     *
     * @param segment what ffprobe says of the segment: its width as shown, and its frame rate
     */
    public static List<String> stereoPreview(Path input, Path output, StereoParams params, VideoProbe segment) {
        int width = segment.width();
        // In pairs of pixels: 4:2:0 crops and pads by even amounts only.
        // A strength above 0 moves the views at least one pair apart, so they never come out identical.
        long pairs = params.divergence() > 0 ? Math.max(1, Math.round(width * params.divergence() / 100.0 / 2)) : 0;
        long rightPairs = Math.round(pairs * params.convergence());
        long rightShift = 2 * rightPairs;
        long leftShift = 2 * (pairs - rightPairs);
        // Each view keeps the frame's size: crop on one side, pad the same on the other.
        String left = "[l]crop=iw-" + leftShift + ":ih:" + leftShift + ":0,pad=iw+" + leftShift + ":ih:0:0[lv]";
        String right = "[r]crop=iw-" + rightShift + ":ih:0:0,pad=iw+" + rightShift + ":ih:" + rightShift + ":0[rv]";
        String views = "[0:v]split=2[l][r];" + left + ";" + right + ";";
        String packed = switch (params.format()) {
            case FULL_SBS -> "[lv][rv]hstack=inputs=2";
            case HALF_SBS -> "[lv][rv]hstack=inputs=2,scale=trunc(iw/4)*2:ih";
            case FULL_TB -> "[lv][rv]vstack=inputs=2";
            case HALF_TB -> "[lv][rv]vstack=inputs=2,scale=iw:trunc(ih/4)*2";
            case CROSS_EYED -> "[rv][lv]hstack=inputs=2";
            case ANAGLYPH -> anaglyph(params.anaglyphMethod());
        };
        List<String> args = new ArrayList<>(quiet());
        args.addAll(input(input));
        args.addAll(List.of("-filter_complex", views + packed + "[v]",
                "-map", "[v]", "-map", "0:a:0?"));
        // Every frame as it comes, unless the segment is faster than max_fps: then that rate, constant.
        if (segment.frameRate() > params.maxFps() || segment.frameRate() <= 0) {
            args.addAll(List.of("-fpsmax", Integer.toString(params.maxFps())));
        } else {
            args.addAll(List.of("-fps_mode", "passthrough"));
        }
        args.addAll(encoder(params.encoder(), params.crf(), params.format().framePacking()));
        args.addAll(List.of("-c:a", "copy", "-movflags", "+faststart", output.toString()));
        return args;
    }

    /**
     * The two views mixed for red/cyan glasses. ffmpeg's stereo3d has Dubois, full colour, gray and half colour;
     * Wimmer's optimized anaglyph is made by hand: red from the left view's green and blue, gamma-corrected,
     * green and blue from the right view.
     */
    private static String anaglyph(String method) {
        return switch (method) {
            case "dubois" -> "[lv][rv]hstack=inputs=2,stereo3d=sbsl:arcd";
            case "color" -> "[lv][rv]hstack=inputs=2,stereo3d=sbsl:arcc";
            case "gray" -> "[lv][rv]hstack=inputs=2,stereo3d=sbsl:arcg";
            case "half-color" -> "[lv][rv]hstack=inputs=2,stereo3d=sbsl:arch";
            case "wimmer" -> "[lv]format=gbrp,colorchannelmixer=rr=0:rg=0.7:rb=0.3:gg=0:bb=0,lutrgb=r=gammaval(0.6667)[wl];"
                    + "[rv]format=gbrp,colorchannelmixer=rr=0[wr];[wl][wr]blend=all_mode=addition";
            default -> throw new IllegalArgumentException("unknown anaglyph method " + method);
        };
    }

    /**
     * Video encoder arguments: {@code h264} (x264, with the frame-packing SEI when {@code framePacking} is not 0)
     * or {@code hevc} (x265, tagged hvc1 as Apple's players want), 4:2:0 either way.
     */
    public static List<String> encoder(String encoder, int crf, int framePacking) {
        List<String> args = new ArrayList<>();
        if ("hevc".equals(encoder)) {
            args.addAll(List.of("-c:v", "libx265", "-preset", "veryfast", "-x265-params", "log-level=error", "-tag:v", "hvc1"));
        } else if ("h264".equals(encoder)) {
            args.addAll(List.of("-c:v", "libx264", "-preset", "veryfast"));
            if (framePacking != 0) {
                args.addAll(List.of("-x264-params", "frame-packing=" + framePacking));
            }
        } else {
            throw new IllegalArgumentException("unknown encoder " + encoder + " (h264 or hevc)");
        }
        args.addAll(List.of("-crf", Integer.toString(crf), "-pix_fmt", "yuv420p"));
        return args;
    }

    /** ffmpeg: one JPEG still of {@code input} at {@code seconds}, scaled to {@code frame} (after the display rotation). */
    public static List<String> still(Path input, double seconds, Frame frame, Path output) {
        List<String> args = new ArrayList<>(quiet());
        args.addAll(List.of("-ss", String.format(Locale.ROOT, "%.3f", seconds)));
        args.addAll(input(input));
        args.addAll(List.of("-frames:v", "1", "-vf", "scale=" + frame.width() + ":" + frame.height(), "-q:v", "3",
                output.toString()));
        return args;
    }

    /**
     * A video encoding for an output that must play everywhere: {@code encoder} ({@code h264} or {@code hevc}) at
     * {@code crf}, with the frame-packing SEI of {@link #encoder} when {@code framePacking} is not 0.
     */
    public record Encoding(String encoder, int crf, int framePacking) {

        /** A job's: a stereo job's encoder, CRF and format's signalling; H.264 at CRF 18 for any other. */
        public static Encoding of(Params params) {
            if (params.mode() == null) {
                return new Encoding("h264", 18, 0);
            }
            StereoParams stereo = StereoParams.of(params, "");
            return new Encoding(stereo.encoder(), stereo.crf(), stereo.format().framePacking());
        }
    }

    /**
     * The source's tracks besides its picture ({@link #tracks}), for the join: the file, and whether the joined video
     * takes its audio from it (rather than from the model's segments).
     */
    public record SourceTracks(Path file, boolean audio) {
    }

    /**
     * ffmpeg: joins the segments a concat list names into one MP4, by stream copy, or re-encoding the video as
     * {@code reencode} says when it is not null (8-bit 4:2:0, for segments a browser would not play as they are).
     * With {@code tracks}, its subtitles (as MP4 timed text) and chapters are added, and its audio tracks replace the
     * segments' where it says so. No display rotation is written: models write upright frames, so a rotation the
     * segments still carry would turn the picture twice.
     */
    public static List<String> concat(Path list, Path output, Encoding reencode, SourceTracks tracks) {
        List<String> args = new ArrayList<>(quiet());
        args.addAll(List.of("-display_rotation", "0"));
        args.addAll(concatInput(list));
        if (tracks != null) {
            args.addAll(input(tracks.file()));
        }
        args.addAll(List.of("-map", "0:v:0", "-map", tracks != null && tracks.audio() ? "1:a?" : "0:a?"));
        if (tracks != null) {
            args.addAll(List.of("-map", "1:s?", "-map_chapters", "1", "-c:s", "mov_text"));
        }
        args.addAll(reencode == null ? List.of("-c:v", "copy")
                : encoder(reencode.encoder(), reencode.crf(), reencode.framePacking()));
        args.addAll(List.of("-c:a", "copy", "-movflags", "+faststart", output.toString()));
        return args;
    }

    /** One rung of the HLS ladder: frame size and the peak video bit rate the encoder may not exceed. */
    public record HlsRendition(int width, int height, int maxrateKbps) {
    }

    /** Folder of variant {@code i} inside the HLS output folder; its playlist is {@code index.m3u8} there. */
    public static String hlsVariantDir(int index) {
        return "v" + index;
    }

    /**
     * The three renditions for a source of {@code sourceWidth} x {@code sourceHeight}: heights of 1, 2/3 and 1/2
     * of the source's (never larger), widths from the source frame's aspect ratio (a side-by-side pair stays twice
     * as wide), both even as yuv420p needs. The peak rate allows about 0.1 bit per pixel at 30 fps, at least
     * 150 kbit/s, so a side-by-side frame gets twice the rate of a flat one of the same height.
     */
    public static List<HlsRendition> hlsRenditions(int sourceWidth, int sourceHeight) {
        if (sourceWidth < 2 || sourceHeight < 2) {
            throw new IllegalArgumentException("no HLS ladder for a " + sourceWidth + "x" + sourceHeight + " frame");
        }
        List<HlsRendition> ladder = new ArrayList<>();
        for (double fraction : new double[] {1.0, 2.0 / 3.0, 0.5}) {
            int height = even(sourceHeight * fraction, sourceHeight);
            int width = even((double) sourceWidth * height / sourceHeight, sourceWidth);
            int maxrate = (int) Math.max(150, Math.round(width * (double) height * 30 * 0.1 / 1000));
            ladder.add(new HlsRendition(width, height, maxrate));
        }
        return ladder;
    }

    /** The nearest even number to {@code value}, at least 2 and at most {@code limit} (so never an upscale). */
    private static int even(double value, int limit) {
        int rounded = Math.max(2, 2 * (int) Math.round(value / 2));
        return rounded > limit ? (limit & ~1) : rounded;
    }

    /**
     * ffmpeg: an adaptive HLS package of {@code input} in one run: the three {@link #hlsRenditions} as H.264
     * (High profile, yuv420p, CRF 21 capped by {@code -maxrate}/{@code -bufsize} so the measured BANDWIDTH stays
     * near the cap) in {@code outDir/v0 .. v2}, and each of the input's {@code audioTracks} audio tracks as an
     * alternate audio rendition, AAC stereo at 128 kbit/s, in {@code outDir/a0, a1 ...}: the variants carry no audio
     * of their own and name the renditions' group, {@code audio}, so a player picks one language for every variant
     * ({@code -var_stream_map} with {@code agroup:}; the first track is the default). Each folder holds
     * {@code index.m3u8}, {@code init_N.mp4} and {@code seg_NNNNN.m4s}; {@code outDir/master.m3u8} names them all.
     * A keyframe is forced at every multiple of {@code segmentSeconds}, so each segment starts with one and all
     * renditions cut at the same instants (a player can switch at any segment boundary).
     * <p>
     * Segments are fragmented MP4 (CMAF), not MPEG-TS: less container overhead (about 7% fewer bytes on
     * small renditions), the same segments serve HLS and DASH players, and HEVC or AV1 renditions later need
     * fMP4 anyway. Every player that plays HLS version 7 reads them (Safari, hls.js, ExoPlayer, AVPlayer).
     * ffmpeg's HLS muxer can't write subtitle renditions beside fMP4 video: see {@link #webvttTracks}.
     * <p>
     * The High profile is fixed so that the master playlist's CODECS value is {@code avc1.6400xx} (no constraint
     * flags) with the level the encoder chose, which lets it be checked against ffprobe.
     *
     * @param audioTracks how many audio tracks the input has, each of which becomes a rendition (0 for none)
     * @param framePacking x264's frame-packing SEI for a stereo frame (3 side by side, 4 top and bottom), 0 for none
     */
    public static List<String> hlsLadder(Path input, Path outDir, int sourceWidth, int sourceHeight, int audioTracks,
            int segmentSeconds, int framePacking) {
        if (segmentSeconds < 1) {
            throw new IllegalArgumentException("segment duration must be at least 1 second, was " + segmentSeconds);
        }
        List<HlsRendition> ladder = hlsRenditions(sourceWidth, sourceHeight);
        StringBuilder filter = new StringBuilder("[0:v]split=").append(ladder.size());
        for (int i = 0; i < ladder.size(); i++) {
            filter.append("[s").append(i).append(']');
        }
        for (int i = 0; i < ladder.size(); i++) {
            HlsRendition r = ladder.get(i);
            filter.append(";[s").append(i).append("]scale=").append(r.width()).append(':').append(r.height())
                    .append(":flags=bicubic[v").append(i).append(']');
        }
        List<String> args = new ArrayList<>(quiet());
        args.addAll(input(input));
        args.addAll(List.of("-filter_complex", filter.toString()));
        for (int i = 0; i < ladder.size(); i++) {
            args.addAll(List.of("-map", "[v" + i + "]"));
        }
        for (int i = 0; i < audioTracks; i++) {
            args.addAll(List.of("-map", "0:a:" + i));
        }
        args.addAll(List.of("-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
                "-crf", "21"));
        if (framePacking != 0) {
            // A stereo frame keeps its signalling through the re-encode (x264's frame-packing SEI).
            args.addAll(List.of("-x264-params", "frame-packing=" + framePacking));
        }
        args.addAll(List.of("-force_key_frames", "expr:gte(t,n_forced*" + segmentSeconds + ")", "-sc_threshold", "0"));
        for (int i = 0; i < ladder.size(); i++) {
            int maxrate = ladder.get(i).maxrateKbps();
            args.addAll(List.of("-maxrate:v:" + i, maxrate + "k", "-bufsize:v:" + i, 2 * maxrate + "k"));
        }
        if (audioTracks > 0) {
            args.addAll(List.of("-c:a", "aac", "-b:a", "128k", "-ac", "2"));
        }
        // Each stream's folder is its name: v0.. for the variants, a0.. for the audio renditions.
        List<String> streamMap = new ArrayList<>();
        String group = audioTracks > 0 ? ",agroup:" + HLS_AUDIO_GROUP : "";
        for (int i = 0; i < ladder.size(); i++) {
            streamMap.add("v:" + i + group + ",name:" + hlsVariantDir(i));
        }
        for (int i = 0; i < audioTracks; i++) {
            streamMap.add("a:" + i + group + ",name:" + hlsAudioDir(i) + (i == 0 ? ",default:yes" : ""));
        }
        args.addAll(List.of(
                "-f", "hls",
                "-hls_time", Integer.toString(segmentSeconds),
                "-hls_playlist_type", "vod",
                "-hls_segment_type", "fmp4",
                "-hls_flags", "independent_segments",
                "-hls_segment_filename", outDir.resolve("%v").resolve("seg_%05d.m4s").toString(),
                "-master_pl_name", "master.m3u8",
                "-var_stream_map", String.join(" ", streamMap),
                outDir.resolve("%v").resolve("index.m3u8").toString()));
        return args;
    }

    /** The GROUP-ID of an HLS package's alternate audio renditions. */
    public static final String HLS_AUDIO_GROUP = "audio";

    /** Folder of audio rendition {@code i} (the input's audio track {@code i}, from 0) inside the HLS output folder. */
    public static String hlsAudioDir(int index) {
        return "a" + index;
    }

    /** Folder of subtitle rendition {@code i} inside the HLS output folder. */
    public static String hlsSubtitleDir(int index) {
        return "s" + index;
    }

    /**
     * ffmpeg: text subtitle tracks of {@code input} as whole WebVTT files, track {@code tracks[i]} (counted from 0
     * among the input's subtitle tracks, as {@code 0:s:N} counts) into {@code outputs[i]}, in one run. ffmpeg 7.1's HLS
     * muxer writes WebVTT renditions only beside MPEG-TS segments (with fMP4 it stops: "No streams to mux were
     * specified"), so the HLS packager cuts these files into segments itself.
     */
    public static List<String> webvttTracks(Path input, List<Integer> tracks, List<Path> outputs) {
        if (tracks.size() != outputs.size() || tracks.isEmpty()) {
            throw new IllegalArgumentException("one output per subtitle track, and at least one: " + tracks + " to " + outputs);
        }
        List<String> args = new ArrayList<>(quiet());
        args.addAll(input(input));
        for (int i = 0; i < tracks.size(); i++) {
            args.addAll(List.of("-map", "0:s:" + tracks.get(i), "-c:s", "webvtt", "-f", "webvtt", outputs.get(i).toString()));
        }
        return args;
    }

    /** An MP4 rendition's frame: {@code shortSide} pixels on the source frame's shorter side, the other from its aspect. */
    public record Frame(int width, int height) {
    }

    /**
     * The frame of a rendition whose shorter side is {@code shortSide} (the height of a landscape video, the width of
     * a portrait one), both sides even as yuv420p needs, and never larger than the source.
     */
    public static Frame renditionFrame(int sourceWidth, int sourceHeight, int shortSide) {
        if (sourceWidth < 2 || sourceHeight < 2 || shortSide < 2) {
            throw new IllegalArgumentException("no " + shortSide + " rendition of a " + sourceWidth + "x" + sourceHeight + " frame");
        }
        if (sourceWidth >= sourceHeight) {
            int height = even(shortSide, sourceHeight);
            return new Frame(even((double) sourceWidth * height / sourceHeight, sourceWidth), height);
        }
        int width = even(shortSide, sourceWidth);
        return new Frame(width, even((double) sourceHeight * width / sourceWidth, sourceHeight));
    }

    /**
     * ffmpeg: one progressive-download MP4 of {@code input} at {@code frame}: H.264 (High profile, yuv420p, the
     * given CRF), AAC stereo at {@code audioKbps} when the source has audio, and the index first
     * ({@code +faststart}), so a browser starts playing before the whole file is there.
     */
    public static List<String> mp4Rendition(Path input, Path output, Frame frame, int crf, int audioKbps, boolean audio) {
        return mp4Rendition(input, output, frame, crf, audioKbps, audio, List.of());
    }

    /** As {@link #mp4Rendition(Path, Path, Frame, int, int, boolean)}, with {@code corrections} filtered before the scale. */
    public static List<String> mp4Rendition(Path input, Path output, Frame frame, int crf, int audioKbps, boolean audio,
            List<String> corrections) {
        List<String> filters = new ArrayList<>(corrections);
        filters.add("scale=" + frame.width() + ":" + frame.height() + ":flags=bicubic");
        List<String> args = new ArrayList<>(quiet());
        args.addAll(input(input));
        args.addAll(List.of("-map", "0:v:0",
                "-vf", String.join(",", filters),
                "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
                "-crf", Integer.toString(crf)));
        if (audio) {
            args.addAll(List.of("-map", "0:a:0", "-c:a", "aac", "-b:a", audioKbps + "k", "-ac", "2"));
        }
        args.addAll(List.of("-movflags", "+faststart", output.toString()));
        return args;
    }
}
