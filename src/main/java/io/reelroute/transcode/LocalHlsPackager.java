package io.reelroute.transcode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.UnprocessableSourceException;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;

/**
 * HLS packaging without MediaConvert. One ffmpeg run turns the final MP4 into three H.264 variants and one alternate
 * audio rendition per audio track of the file (see {@link MediaCommands#hlsLadder}); a second one takes out each text
 * subtitle track as WebVTT, which {@link WebVttSegments} cuts into a subtitle rendition whose segments span the
 * video's. The package:
 * <pre>
 * master.m3u8          three variants; an AUDIO group "audio" and a SUBTITLES group "subs" when the file has such tracks
 * v0/ v1/ v2/          the variants (video only when there are audio renditions): index.m3u8, init_N.mp4, seg_NNNNN.m4s
 * a0/ a1/ ...          the audio renditions, AAC stereo, in the file's track order: index.m3u8, init_N.mp4, seg_NNNNN.m4s
 * s0/ s1/ ...          the subtitle renditions, in the file's order of its text subtitle tracks: index.m3u8, seg_NNNNN.vtt
 * </pre>
 * The master playlist must then name exactly three variants that exist and one audio rendition per audio track,
 * which exist too. Each variant's RESOLUTION and CODECS (the video's, and the audio renditions' codec) are set from
 * what ffprobe reads, and BANDWIDTH and AVERAGE-BANDWIDTH from segment sizes, the variant's plus the largest
 * audio and subtitle rendition's, as RFC 8216 counts a variant that plays with renditions. The EXT-X-MEDIA lines
 * are written here: LANGUAGE as a BCP 47 tag, NAME from the track's title or language, DEFAULT=YES on the first
 * audio track only (see {@link PackageTracks}). Subtitles drawn as pictures can't be WebVTT: they are left out,
 * with a log line.
 */
@Component("localHlsPackager")
public class LocalHlsPackager {

    public static final String MASTER_PLAYLIST = "master.m3u8";
    public static final int VARIANTS = 3;
    /** The GROUP-ID of the subtitle renditions. */
    public static final String SUBTITLE_GROUP = "subs";

    private static final Logger LOG = LoggerFactory.getLogger(LocalHlsPackager.class);
    private static final String STREAM_INF = "#EXT-X-STREAM-INF:";
    private static final String MEDIA = "#EXT-X-MEDIA:";
    private static final Pattern ATTRIBUTE = Pattern.compile("([A-Z0-9-]+)=(\"[^\"]*\"|[^,]*)");

    private final MediaTools tools;
    private final Duration timeout;
    private final int segmentSeconds;
    private final FileProbe probe;
    private final ObjectMapper mapper;

    @Autowired
    public LocalHlsPackager(MediaTools tools, ReelRouteProperties properties, ObjectMapper mapper) {
        this(tools, properties.transcode().local().timeout(), properties.transcode().local().segmentSeconds(),
                properties.media().probeTimeout(), mapper);
    }

    LocalHlsPackager(MediaTools tools, Duration timeout, int segmentSeconds, Duration probeTimeout, ObjectMapper mapper) {
        this.tools = tools;
        this.timeout = timeout;
        this.segmentSeconds = segmentSeconds;
        this.probe = new FileProbe(tools, probeTimeout, mapper);
        this.mapper = mapper;
    }

    /**
     * Writes the HLS package of {@code finalMp4} into {@code outDir} (see the class comment for its layout) and
     * returns the master playlist's path. A repeat run writes the same names again. {@code framePacking} is the
     * stereo signalling every variant carries (see {@link MediaCommands#hlsLadder}).
     *
     * @throws HlsPackagingFailed when the source can't be read, ffmpeg fails or runs past the timeout (the message
     *         carries the end of its output), or the package is incomplete
     */
    public Path packageHls(Path finalMp4, Path outDir, int framePacking) {
        Path work = null;
        try {
            Files.createDirectories(outDir);
            work = Files.createTempDirectory("reelroute-hls-");
            JsonNode description = describeSource(finalMp4);
            VideoProbe source = videoOf(finalMp4, description);
            PackageTracks tracks = PackageTracks.of(description);
            for (PackageTracks.Track left : tracks.bitmapSubtitles()) {
                LOG.info("{}: subtitle track {} ({}, {}) is a bitmap format, which WebVTT can't carry: not in the HLS package",
                        finalMp4.getFileName(), left.number(), left.codec(), left.name());
            }
            long started = System.nanoTime();
            ffmpeg(MediaCommands.hlsLadder(finalMp4, outDir, source.width(), source.height(), tracks.audio().size(),
                    segmentSeconds, framePacking), finalMp4, work);
            writeSubtitles(finalMp4, outDir, tracks.subtitles(), work);
            Path master = outDir.resolve(MASTER_PLAYLIST);
            completeMasterPlaylist(master, tracks);
            LOG.info("HLS package of {} ({}x{}, {} s, {} audio and {} subtitle renditions) written to {} in {} ms",
                    finalMp4.getFileName(), source.width(), source.height(), source.durationSeconds(), tracks.audio().size(),
                    tracks.subtitles().size(), outDir, (System.nanoTime() - started) / 1_000_000);
            return master;
        } catch (IOException e) {
            throw new HlsPackagingFailed("HLS packaging of " + finalMp4.getFileName() + " failed: " + e.getMessage(), e);
        } finally {
            if (work != null) {
                WorkFolders.remove(work);
            }
        }
    }

    private JsonNode describeSource(Path finalMp4) throws IOException {
        try {
            return probe.describe(finalMp4);
        } catch (UnprocessableSourceException e) {
            throw new HlsPackagingFailed("can't package " + finalMp4.getFileName() + " as HLS: " + e.getMessage(), e);
        }
    }

    private VideoProbe videoOf(Path finalMp4, JsonNode description) {
        try {
            return VideoProbe.parse(description.toString(), mapper);
        } catch (UnprocessableSourceException e) {
            throw new HlsPackagingFailed("can't package " + finalMp4.getFileName() + " as HLS: " + e.getMessage(), e);
        }
    }

    private void ffmpeg(List<String> args, Path finalMp4, Path work) throws IOException {
        ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), args, timeout, Files.createTempFile(work, "ffmpeg-", ".log"));
        if (!result.succeeded()) {
            throw new HlsPackagingFailed("ffmpeg " + result.ending(timeout) + " while packaging " + finalMp4.getFileName() + " as HLS"
                    + (result.tail().isEmpty() ? "" : ": " + result.tail()));
        }
    }

    /**
     * Each text subtitle track as a WebVTT rendition in {@code s0, s1 ...}, its segments spanning the first variant's
     * (ffmpeg writes every variant's segments at the same instants).
     */
    private void writeSubtitles(Path finalMp4, Path outDir, List<PackageTracks.Track> subtitles, Path work) throws IOException {
        if (subtitles.isEmpty()) {
            return;
        }
        List<Path> wholeFiles = new ArrayList<>();
        for (int i = 0; i < subtitles.size(); i++) {
            wholeFiles.add(work.resolve(MediaCommands.hlsSubtitleDir(i) + ".vtt"));
        }
        ffmpeg(MediaCommands.webvttTracks(finalMp4, subtitles.stream().map(track -> track.number() - 1).toList(), wholeFiles),
                finalMp4, work);
        List<Double> spans = segmentDurations(outDir.resolve(MediaCommands.hlsVariantDir(0)).resolve("index.m3u8"));
        for (int i = 0; i < subtitles.size(); i++) {
            WebVttSegments.write(wholeFiles.get(i), outDir.resolve(MediaCommands.hlsSubtitleDir(i)), spans);
        }
    }

    /** A rendition of the package: its URI, its peak and average segment bit rates, and its codec (RFC 6381). */
    private record Rendition(String uri, long[] rates, String codec) {
    }

    /**
     * Checks that the master playlist names {@value #VARIANTS} variants and one audio rendition per audio track, all
     * of which exist, writes the EXT-X-MEDIA lines of the renditions and sets each variant's attributes from what the
     * package holds (see the class comment), rewriting the file if that changes anything.
     */
    private void completeMasterPlaylist(Path master, PackageTracks tracks) throws IOException {
        if (!Files.isRegularFile(master)) {
            throw new HlsPackagingFailed("ffmpeg finished but wrote no " + MASTER_PLAYLIST);
        }
        List<String> lines = Files.readAllLines(master, StandardCharsets.UTF_8);
        List<Integer> variantLines = new ArrayList<>();
        List<String> audioUris = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(STREAM_INF)) {
                variantLines.add(i);
            } else if (lines.get(i).startsWith(MEDIA)) {
                Map<String, String> media = attributes(lines.get(i).substring(MEDIA.length()));
                if ("AUDIO".equals(media.get("TYPE")) && media.containsKey("URI")) {
                    audioUris.add(unquoted(media.get("URI")));
                }
            }
        }
        if (variantLines.size() != VARIANTS) {
            throw new HlsPackagingFailed(MASTER_PLAYLIST + " names " + variantLines.size() + " variants, not " + VARIANTS
                    + ": " + String.join("\n", lines));
        }
        if (audioUris.size() != tracks.audio().size()) {
            throw new HlsPackagingFailed(MASTER_PLAYLIST + " names " + audioUris.size() + " audio renditions for the source's "
                    + tracks.audio().size() + " audio tracks: " + String.join("\n", lines));
        }
        List<Rendition> audio = new ArrayList<>();
        for (String uri : audioUris) {
            Path playlist = existing(master, uri);
            JsonNode stream = streams(playlist).audio();
            if (stream == null) {
                throw new HlsPackagingFailed("ffprobe finds no audio in the audio rendition " + uri);
            }
            audio.add(new Rendition(uri, segmentBitRates(playlist), audioCodec(stream)));
        }
        List<Rendition> subtitles = new ArrayList<>();
        for (int i = 0; i < tracks.subtitles().size(); i++) {
            String uri = MediaCommands.hlsSubtitleDir(i) + "/" + WebVttSegments.PLAYLIST;
            subtitles.add(new Rendition(uri, segmentBitRates(existing(master, uri)), null));
        }
        // A variant plays with one audio and one subtitle rendition: its rates are its own plus the largest of each.
        long extraPeak = largest(audio, 0) + largest(subtitles, 0);
        long extraAverage = largest(audio, 1) + largest(subtitles, 1);
        String audioCodecs = String.join(",", audio.stream().map(Rendition::codec).distinct().toList());

        List<String> completed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith(MEDIA)) {
                continue;
            }
            if (i == variantLines.get(0)) {
                completed.addAll(mediaLines(tracks, audio, subtitles));
            }
            if (!line.startsWith(STREAM_INF)) {
                completed.add(line);
                continue;
            }
            String uri = uriAfter(lines, i);
            Path playlist = existing(master, uri);
            Map<String, String> written = attributes(line.substring(STREAM_INF.length()));
            Streams variant = streams(playlist);
            if (variant.video() == null) {
                throw new HlsPackagingFailed("ffprobe finds no video in " + uri);
            }
            if (variant.audio() != null) {
                throw new HlsPackagingFailed(uri + " carries audio of its own; the audio belongs in the renditions");
            }
            long[] rates = segmentBitRates(playlist);
            Map<String, String> attributes = new LinkedHashMap<>(written);
            attributes.put("BANDWIDTH", Long.toString(rates[0] + extraPeak));
            attributes.put("AVERAGE-BANDWIDTH", Long.toString(rates[1] + extraAverage));
            attributes.put("RESOLUTION", variant.video().path("width").asInt() + "x" + variant.video().path("height").asInt());
            attributes.put("CODECS", "\"" + videoCodec(variant.video(), written.get("CODECS"))
                    + (audio.isEmpty() ? "" : "," + audioCodecs) + "\"");
            putOrRemove(attributes, "AUDIO", audio.isEmpty() ? null : "\"" + MediaCommands.HLS_AUDIO_GROUP + "\"");
            putOrRemove(attributes, "SUBTITLES", subtitles.isEmpty() ? null : "\"" + SUBTITLE_GROUP + "\"");
            if (!attributes.equals(written)) {
                LOG.debug("{}: {} corrected from {} to {}", MASTER_PLAYLIST, uri, written, attributes);
            }
            completed.add(STREAM_INF + join(attributes));
        }
        if (!completed.equals(lines)) {
            Path partial = master.resolveSibling(MASTER_PLAYLIST + ".partial");
            Files.write(partial, completed, StandardCharsets.UTF_8);
            Files.move(partial, master, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The EXT-X-MEDIA lines of the audio renditions (the first the default) and of the subtitle renditions. */
    private static List<String> mediaLines(PackageTracks tracks, List<Rendition> audio, List<Rendition> subtitles) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < audio.size(); i++) {
            PackageTracks.Track track = tracks.audio().get(i);
            lines.add(MEDIA + "TYPE=AUDIO,GROUP-ID=\"" + MediaCommands.HLS_AUDIO_GROUP + "\"" + language(track)
                    + ",NAME=" + quoted(track.name()) + (i == 0 ? ",DEFAULT=YES" : ",DEFAULT=NO") + ",AUTOSELECT=YES"
                    + ",CHANNELS=\"2\",URI=" + quoted(audio.get(i).uri()));
        }
        for (int i = 0; i < subtitles.size(); i++) {
            PackageTracks.Track track = tracks.subtitles().get(i);
            lines.add(MEDIA + "TYPE=SUBTITLES,GROUP-ID=\"" + SUBTITLE_GROUP + "\"" + language(track)
                    + ",NAME=" + quoted(track.name()) + ",DEFAULT=NO,AUTOSELECT=YES,URI=" + quoted(subtitles.get(i).uri()));
        }
        return lines;
    }

    private static String language(PackageTracks.Track track) {
        return track.language() == null ? "" : ",LANGUAGE=" + quoted(track.language());
    }

    /** An HLS quoted-string: no double quote, carriage return or line feed inside. */
    private static String quoted(String value) {
        return "\"" + value.replace('"', '\'').replaceAll("[\\r\\n]+", " ") + "\"";
    }

    private static String unquoted(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    private static void putOrRemove(Map<String, String> attributes, String name, String value) {
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    private static long largest(List<Rendition> renditions, int rate) {
        return renditions.stream().mapToLong(rendition -> rendition.rates()[rate]).max().orElse(0);
    }

    private static Path existing(Path master, String uri) {
        Path playlist = master.resolveSibling(uri);
        if (!Files.isRegularFile(playlist)) {
            throw new HlsPackagingFailed(MASTER_PLAYLIST + " names " + uri + ", which was not written");
        }
        return playlist;
    }

    /** The EXTINF durations of a media playlist's segments, in order. */
    private static List<Double> segmentDurations(Path playlist) throws IOException {
        List<Double> durations = new ArrayList<>();
        for (String line : Files.readAllLines(playlist, StandardCharsets.UTF_8)) {
            if (line.startsWith("#EXTINF:")) {
                durations.add(Double.parseDouble(line.substring("#EXTINF:".length()).split(",")[0]));
            }
        }
        return durations;
    }

    /**
     * The peak and the average segment bit rate of a media playlist, from its segments' sizes and EXTINF durations,
     * rounded up: what BANDWIDTH and AVERAGE-BANDWIDTH mean (RFC 8216, 4.3.4.2). ffmpeg's own figures count only the
     * packets, not the fMP4 boxes around them, and come out a little low.
     */
    private static long[] segmentBitRates(Path playlist) throws IOException {
        List<String> lines = Files.readAllLines(playlist, StandardCharsets.UTF_8);
        double peak = 0;
        double seconds = 0;
        long bytes = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("#EXTINF:")) {
                double duration = Double.parseDouble(lines.get(i).substring("#EXTINF:".length()).split(",")[0]);
                long size = Files.size(playlist.resolveSibling(uriAfter(lines, i)));
                if (duration > 0) {
                    peak = Math.max(peak, size * 8 / duration);
                }
                seconds += duration;
                bytes += size;
            }
        }
        if (seconds <= 0) {
            throw new HlsPackagingFailed(playlist.getParent().getFileName() + "/" + playlist.getFileName() + " lists no segments");
        }
        return new long[] {(long) Math.ceil(peak), (long) Math.ceil(bytes * 8 / seconds)};
    }

    /** The first video and the first audio stream that ffprobe reads through a playlist; either may be null. */
    private record Streams(JsonNode video, JsonNode audio) {
    }

    private Streams streams(Path playlist) throws IOException {
        JsonNode root;
        try {
            root = probe.describePlaylist(playlist);
        } catch (UnprocessableSourceException unreadable) {
            throw new HlsPackagingFailed(unreadable.getMessage(), unreadable);
        }
        JsonNode video = null;
        JsonNode audio = null;
        for (JsonNode stream : root == null ? mapper.createArrayNode() : root.path("streams")) {
            String type = stream.path("codec_type").asText();
            if ("video".equals(type) && video == null) {
                video = stream;
            } else if ("audio".equals(type) && audio == null) {
                audio = stream;
            }
        }
        return new Streams(video, audio);
    }

    /**
     * {@code avc1.PPCCLL}: profile, constraint flags and level in hex. The ladder fixes the High profile, for which x264
     * sets no constraint flags, so only the level comes from the stream; anything else keeps what ffmpeg wrote.
     */
    private static String videoCodec(JsonNode video, String writtenCodecs) {
        if ("h264".equals(video.path("codec_name").asText()) && "High".equals(video.path("profile").asText())
                && video.path("level").asInt() > 0) {
            return String.format(Locale.ROOT, "avc1.6400%02x", video.path("level").asInt());
        }
        if (writtenCodecs != null && writtenCodecs.startsWith("\"avc1.")) {
            return writtenCodecs.substring(1, writtenCodecs.length() - 1).split(",")[0];
        }
        throw new HlsPackagingFailed("no CODECS value for a " + video.path("codec_name").asText() + " "
                + video.path("profile").asText() + " video stream");
    }

    /** AAC as ffmpeg encodes it is AAC-LC, object type 2; ffprobe may leave the profile out of an HLS reading. */
    private static String audioCodec(JsonNode audio) {
        if (!"aac".equals(audio.path("codec_name").asText())) {
            throw new HlsPackagingFailed("unexpected audio codec " + audio.path("codec_name").asText() + " in the package");
        }
        return switch (audio.path("profile").asText("LC")) {
            case "HE-AAC" -> "mp4a.40.5";
            case "HE-AACv2" -> "mp4a.40.29";
            default -> "mp4a.40.2";
        };
    }

    private static String uriAfter(List<String> lines, int streamInf) {
        for (int i = streamInf + 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                return line;
            }
        }
        throw new HlsPackagingFailed("a playlist entry without a URI in the HLS package");
    }

    static Map<String, String> attributes(String list) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher matcher = ATTRIBUTE.matcher(list);
        while (matcher.find()) {
            attributes.put(matcher.group(1), matcher.group(2));
        }
        return attributes;
    }

    private static String join(Map<String, String> attributes) {
        StringBuilder list = new StringBuilder();
        attributes.forEach((name, value) -> list.append(list.isEmpty() ? "" : ",").append(name).append('=').append(value));
        return list.toString();
    }
}
