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

/**
 * HLS packaging without MediaConvert: one ffmpeg run turns the final MP4 into three H.264 renditions (see
 * {@link MediaCommands#hlsLadder}) and a master playlist. The master playlist must then name exactly three
 * variants that exist; each one's RESOLUTION and CODECS are set from what ffprobe reads in the variant, and
 * BANDWIDTH and AVERAGE-BANDWIDTH from its segments' sizes, wherever ffmpeg's values differ.
 */
@Component("localHlsPackager")
public class LocalHlsPackager {

    public static final String MASTER_PLAYLIST = "master.m3u8";
    public static final int VARIANTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(LocalHlsPackager.class);
    private static final String STREAM_INF = "#EXT-X-STREAM-INF:";
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
     * Writes the HLS package of {@code finalMp4} into {@code outDir} ({@code master.m3u8}, and {@code v0}, {@code v1},
     * {@code v2} with each variant's playlist and segments) and returns the master playlist's path. A repeat run
     * writes the same names again. {@code framePacking} is the stereo signalling every rendition carries (see
     * {@link MediaCommands#hlsLadder}).
     *
     * @throws HlsPackagingFailed when the source can't be read, ffmpeg fails or runs past the timeout (the message
     *         carries the end of its output), or the package is incomplete
     */
    public Path packageHls(Path finalMp4, Path outDir, int framePacking) {
        Path log = null;
        try {
            Files.createDirectories(outDir);
            log = Files.createTempFile("reelroute-hls-", ".log");
            VideoProbe source = probeSource(finalMp4);
            long started = System.nanoTime();
            ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), MediaCommands.hlsLadder(finalMp4,
                    outDir, source.width(), source.height(), source.hasAudio(), segmentSeconds, framePacking), timeout, log);
            if (!result.succeeded()) {
                throw new HlsPackagingFailed("ffmpeg " + result.ending(timeout) + " while packaging " + finalMp4.getFileName() + " as HLS"
                        + (result.tail().isEmpty() ? "" : ": " + result.tail()));
            }
            Path master = outDir.resolve(MASTER_PLAYLIST);
            completeMasterPlaylist(master, source.hasAudio());
            LOG.info("HLS package of {} ({}x{}, {} s) written to {} in {} ms", finalMp4.getFileName(), source.width(),
                    source.height(), source.durationSeconds(), outDir, (System.nanoTime() - started) / 1_000_000);
            return master;
        } catch (IOException e) {
            throw new HlsPackagingFailed("HLS packaging of " + finalMp4.getFileName() + " failed: " + e.getMessage(), e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    LOG.debug("could not delete {}", log, e);
                }
            }
        }
    }

    private VideoProbe probeSource(Path finalMp4) throws IOException {
        try {
            return probe.probe(finalMp4);
        } catch (UnprocessableSourceException e) {
            throw new HlsPackagingFailed("can't package " + finalMp4.getFileName() + " as HLS: " + e.getMessage(), e);
        }
    }

    /**
     * Checks that the master playlist names {@value #VARIANTS} variants that exist, and sets each one's attributes
     * from the variant itself (see the class comment), rewriting the file if that changes anything.
     */
    private void completeMasterPlaylist(Path master, boolean sourceHasAudio) throws IOException {
        if (!Files.isRegularFile(master)) {
            throw new HlsPackagingFailed("ffmpeg finished but wrote no " + MASTER_PLAYLIST);
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(master, StandardCharsets.UTF_8));
        List<Integer> variantLines = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(STREAM_INF)) {
                variantLines.add(i);
            }
        }
        if (variantLines.size() != VARIANTS) {
            throw new HlsPackagingFailed(MASTER_PLAYLIST + " names " + variantLines.size() + " variants, not " + VARIANTS
                    + ": " + String.join("\n", lines));
        }
        boolean changed = false;
        for (int line : variantLines) {
            String uri = uriAfter(lines, line);
            Path playlist = master.resolveSibling(uri);
            if (!Files.isRegularFile(playlist)) {
                throw new HlsPackagingFailed(MASTER_PLAYLIST + " names " + uri + ", which ffmpeg did not write");
            }
            Map<String, String> written = attributes(lines.get(line).substring(STREAM_INF.length()));
            Variant variant = probeVariant(playlist, written.get("CODECS"));
            if (variant.hasAudio() != sourceHasAudio) {
                throw new HlsPackagingFailed(uri + (sourceHasAudio ? " lost the source's audio" : " has audio the source lacks"));
            }
            long[] rates = segmentBitRates(playlist);
            Map<String, String> attributes = new LinkedHashMap<>(written);
            attributes.put("BANDWIDTH", Long.toString(rates[0]));
            attributes.put("AVERAGE-BANDWIDTH", Long.toString(rates[1]));
            attributes.put("RESOLUTION", variant.width() + "x" + variant.height());
            attributes.put("CODECS", "\"" + variant.codecs() + "\"");
            if (!attributes.equals(written)) {
                LOG.debug("{}: {} corrected from {} to {}", MASTER_PLAYLIST, uri, written, attributes);
                lines.set(line, STREAM_INF + join(attributes));
                changed = true;
            }
        }
        if (changed) {
            Path partial = master.resolveSibling(MASTER_PLAYLIST + ".partial");
            Files.write(partial, lines, StandardCharsets.UTF_8);
            Files.move(partial, master, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * The peak and the average segment bit rate of a variant, from its segments' sizes and EXTINF durations, rounded
     * up: what BANDWIDTH and AVERAGE-BANDWIDTH mean (RFC 8216, 4.3.4.2). ffmpeg's own figures count only the packets,
     * not the fMP4 boxes around them, and come out a little low.
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

    private record Variant(int width, int height, String codecs, boolean hasAudio) {
    }

    /** What ffprobe reads from a variant playlist: frame size and the RFC 6381 codec names of its streams. */
    private Variant probeVariant(Path playlist, String writtenCodecs) throws IOException {
        JsonNode root;
        try {
            root = probe.describe(playlist);
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
        if (video == null) {
            throw new HlsPackagingFailed("ffprobe finds no video in " + playlist.getFileName());
        }
        String codecs = videoCodec(video, writtenCodecs);
        if (audio != null) {
            codecs += "," + audioCodec(audio);
        }
        return new Variant(video.path("width").asInt(), video.path("height").asInt(), codecs, audio != null);
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
