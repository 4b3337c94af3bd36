package io.reelroute.transcode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A subtitle rendition of an HLS package from a whole WebVTT file: segments that span the same times as the video's
 * segments ({@code seg_00000.vtt} ...), each holding every cue shown during its span (a cue that crosses a boundary
 * is in both segments, as RFC 8216 allows), and their media playlist, {@code index.m3u8}. Cue times stay those of
 * the file, which start where the video starts, so no X-TIMESTAMP-MAP is needed (RFC 8216, 3.5).
 */
final class WebVttSegments {

    static final String PLAYLIST = "index.m3u8";

    /** A cue's timing line: start and end as {@code [hh:]mm:ss.ttt}, then any cue settings. */
    private static final Pattern TIMING = Pattern.compile(
            "^\\s*(?:(\\d+):)?(\\d{2}):(\\d{2})\\.(\\d{3})\\s+-->\\s+(?:(\\d+):)?(\\d{2}):(\\d{2})\\.(\\d{3})");

    private record Cue(double start, double end, String text) {
    }

    private WebVttSegments() {
    }

    /**
     * Writes the segments and the playlist of {@code wholeFile} into {@code dir}, one segment per entry of
     * {@code segmentSeconds} (the video playlist's EXTINF durations, in order), and returns the playlist's path.
     */
    static Path write(Path wholeFile, Path dir, List<Double> segmentSeconds) throws IOException {
        if (segmentSeconds.isEmpty()) {
            throw new IllegalArgumentException("no segments to cut " + wholeFile.getFileName() + " into");
        }
        List<Cue> cues = cues(Files.readString(wholeFile, StandardCharsets.UTF_8));
        Files.createDirectories(dir);
        List<String> playlist = new ArrayList<>(List.of("#EXTM3U", "#EXT-X-VERSION:3",
                "#EXT-X-TARGETDURATION:" + (long) Math.ceil(segmentSeconds.stream().mapToDouble(Double::doubleValue).max().orElseThrow()),
                "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD"));
        double start = 0;
        for (int i = 0; i < segmentSeconds.size(); i++) {
            boolean last = i == segmentSeconds.size() - 1;
            double end = last ? Double.POSITIVE_INFINITY : start + segmentSeconds.get(i);
            StringBuilder segment = new StringBuilder("WEBVTT\n");
            for (Cue cue : cues) {
                // Shown during the span; a cue of no duration belongs where it starts.
                if (cue.start() < end && (cue.end() > start || cue.start() >= start)) {
                    segment.append('\n').append(cue.text()).append('\n');
                }
            }
            String name = String.format(Locale.ROOT, "seg_%05d.vtt", i);
            Files.writeString(dir.resolve(name), segment, StandardCharsets.UTF_8);
            playlist.add(String.format(Locale.ROOT, "#EXTINF:%.6f,", segmentSeconds.get(i)));
            playlist.add(name);
            start += segmentSeconds.get(i);
        }
        playlist.add("#EXT-X-ENDLIST");
        Path file = dir.resolve(PLAYLIST);
        Files.write(file, playlist, StandardCharsets.UTF_8);
        return file;
    }

    /** The cues of a WebVTT file, each as its block of text (identifier, timing, payload); other blocks are left out. */
    private static List<Cue> cues(String vtt) {
        List<Cue> cues = new ArrayList<>();
        String[] blocks = vtt.replace("\r\n", "\n").replace('\r', '\n').split("\n[ \t]*\n+");
        for (String block : blocks) {
            for (String line : block.split("\n")) {
                Matcher timing = TIMING.matcher(line);
                if (timing.find()) {
                    cues.add(new Cue(seconds(timing, 1), seconds(timing, 5), block.strip()));
                    break;
                }
            }
        }
        return cues;
    }

    private static double seconds(Matcher timing, int first) {
        double hours = timing.group(first) == null ? 0 : Double.parseDouble(timing.group(first));
        return hours * 3600 + Integer.parseInt(timing.group(first + 1)) * 60 + Integer.parseInt(timing.group(first + 2))
                + Integer.parseInt(timing.group(first + 3)) / 1000.0;
    }
}
