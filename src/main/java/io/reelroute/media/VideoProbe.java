package io.reelroute.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What ffprobe says about a source: enough to decide whether and how it can be chunked. Width and height are the
 * frame as players show it (and as ffmpeg writes it, rotating by default): a phone clip recorded upright is stored
 * landscape with a rotation of 90 or 270 degrees, and is taller than wide here; a frame of non-square pixels is as
 * wide as it is shown. The duration is the picture's: audio that runs on after it does not count.
 *
 * @param sampleAspect the width of a pixel over its height (1 for square pixels)
 * @param fieldOrder ffprobe's field order of the video: {@code progressive}, {@code tt}, {@code bb}, {@code tb},
 *        {@code bt}, or empty when the stream does not say
 * @param colorTransfer the video's transfer characteristics ({@code smpte2084} for PQ, {@code arib-std-b67} for HLG),
 *        or empty
 * @param audioCodecs the codec of each audio track, in order
 * @param subtitleCodecs the codec of each subtitle track, in order
 * @param chapters how many chapters the source marks
 */
public record VideoProbe(double durationSeconds, String videoCodec, int width, int height, boolean hasAudio,
        String pixelFormat, double frameRate, double sampleAspect, String fieldOrder, String colorTransfer,
        List<String> audioCodecs, List<String> subtitleCodecs, int chapters) {

    /** Without a known frame rate (0). */
    public VideoProbe(double durationSeconds, String videoCodec, int width, int height, boolean hasAudio, String pixelFormat) {
        this(durationSeconds, videoCodec, width, height, hasAudio, pixelFormat, 0);
    }

    /** A progressive SDR video of square pixels with one audio track, or none, and no subtitles or chapters. */
    public VideoProbe(double durationSeconds, String videoCodec, int width, int height, boolean hasAudio, String pixelFormat,
            double frameRate) {
        this(durationSeconds, videoCodec, width, height, hasAudio, pixelFormat, frameRate, 1, "progressive", "",
                hasAudio ? List.of("aac") : List.of(), List.of(), 0);
    }

    /** Pixel formats every browser decodes: 8-bit 4:2:0. */
    private static final Set<String> BROWSER_PIXEL_FORMATS = Set.of("yuv420p", "yuvj420p");

    /** Field orders of interlaced video (top or bottom field first, coded either way). */
    private static final Set<String> INTERLACED = Set.of("tt", "bb", "tb", "bt");

    /** Transfer characteristics of high dynamic range video: PQ (HDR10, Dolby Vision) and HLG. */
    private static final Set<String> HDR_TRANSFERS = Set.of("smpte2084", "arib-std-b67");

    /** Codecs ffmpeg does not know, by the four-character code a container names them with. */
    private static final Map<String, String> UNKNOWN_BY_TAG = Map.of(
            "aprn", "ProRes RAW", "aprh", "ProRes RAW HQ", "AV1x", "AV1 (an unregistered tag)",
            "R10k", "AJA 10-bit RGB", "BRAW", "Blackmagic RAW", "brr ", "Blackmagic RAW");

    /**
     * Whether browsers play the video as it is: H.264 or HEVC in 8-bit 4:2:0. A model may write 4:4:4, 10-bit or
     * a lossless codec (iw3 does for anaglyph), which most browsers refuse.
     */
    public boolean browserPlayable() {
        return ("h264".equals(videoCodec) || "hevc".equals(videoCodec)) && BROWSER_PIXEL_FORMATS.contains(pixelFormat);
    }

    /** Whether the video is interlaced, as its field order says. */
    public boolean interlaced() {
        return INTERLACED.contains(fieldOrder);
    }

    /** Whether the video is HDR (PQ or HLG), as its transfer characteristics say. */
    public boolean hdr() {
        return HDR_TRANSFERS.contains(colorTransfer);
    }

    /** Whether the pixels are not square (anamorphic video: DV, HDV, DVD, broadcast SD). */
    public boolean anamorphic() {
        return Math.abs(sampleAspect - 1) > 0.01;
    }

    /**
     * Reads ffprobe's JSON. Returns the reason the source can't be processed as an exception message,
     * phrased for the person who uploaded it.
     */
    public static VideoProbe parse(String ffprobeJson, ObjectMapper mapper) {
        JsonNode root;
        try {
            root = mapper.readTree(ffprobeJson == null ? "" : ffprobeJson);
        } catch (Exception e) {
            throw new UnprocessableSourceException("ffprobe gave no readable description of the source");
        }
        if (root == null || !root.has("format")) {
            throw new UnprocessableSourceException("the source is not a decodable video (ffprobe found no container format)");
        }
        JsonNode video = null;
        List<String> audio = new ArrayList<>();
        List<String> subtitles = new ArrayList<>();
        for (JsonNode stream : root.path("streams")) {
            String type = stream.path("codec_type").asText();
            boolean attachedPicture = stream.path("disposition").path("attached_pic").asInt() == 1;
            if ("video".equals(type) && !attachedPicture && video == null) {
                video = stream;
            } else if ("audio".equals(type)) {
                audio.add(stream.path("codec_name").asText("unknown"));
            } else if ("subtitle".equals(type)) {
                subtitles.add(stream.path("codec_name").asText("unknown"));
            }
        }
        if (video == null) {
            throw new UnprocessableSourceException("the source has no video stream"
                    + (audio.isEmpty() ? "" : " (it is audio only)"));
        }
        String codec = video.path("codec_name").asText("unknown");
        if (codec.isEmpty() || "unknown".equals(codec) || "none".equals(codec)) {
            String tag = video.path("codec_tag_string").asText("");
            throw new UnprocessableSourceException("the video stream is "
                    + UNKNOWN_BY_TAG.getOrDefault(tag, "in a format this build of ffmpeg does not know"
                            + (tag.isEmpty() || tag.startsWith("[") ? "" : " (tagged '" + tag + "')"))
                    + ", which can't be decoded here; export the video as H.264, HEVC or ProRes 422 and upload it again");
        }
        double duration = seconds(video);
        if (duration <= 0) {
            duration = root.path("format").path("duration").asDouble(0);
        }
        if (duration <= 0) {
            throw new UnprocessableSourceException("the source has zero duration (a still image or an empty stream)");
        }
        int width = video.path("width").asInt();
        int height = video.path("height").asInt();
        if (width <= 0 || height <= 0) {
            throw new UnprocessableSourceException("the video stream declares no frame size (" + width + "x" + height
                    + "); the file is damaged or not a video: export it again and upload it");
        }
        double sar = ratio(video.path("sample_aspect_ratio").asText("1:1"));
        if (sar <= 0) {
            sar = 1;
        }
        boolean quarterTurn = Math.abs(Math.round(rotation(video) / 90.0)) % 2 == 1;
        // The frame as shown: square pixels of the stored frame's display aspect, turned as the container says.
        int shownWidth = Math.abs(sar - 1) > 0.01 ? (int) (2 * Math.round(width * sar / 2)) : width;
        return new VideoProbe(duration, codec, quarterTurn ? height : shownWidth, quarterTurn ? shownWidth : height,
                !audio.isEmpty(), video.path("pix_fmt").asText(""), rate(video.path("avg_frame_rate").asText("0/1")), sar,
                video.path("field_order").asText(""), video.path("color_transfer").asText(""), List.copyOf(audio),
                List.copyOf(subtitles), root.path("chapters").size());
    }

    /**
     * The stream's own duration: ffprobe's {@code duration}, or the {@code DURATION} tag Matroska and WebM write
     * (HH:MM:SS.nnnnnnnnn); 0 when neither says.
     */
    private static double seconds(JsonNode stream) {
        double duration = stream.path("duration").asDouble(0);
        if (duration > 0) {
            return duration;
        }
        String tag = stream.path("tags").path("DURATION").asText(stream.path("tags").path("duration").asText(""));
        String[] parts = tag.split(":");
        if (parts.length != 3) {
            return 0;
        }
        try {
            return Integer.parseInt(parts[0]) * 3600 + Integer.parseInt(parts[1]) * 60 + Double.parseDouble(parts[2]);
        } catch (NumberFormatException unreadable) {
            return 0;
        }
    }

    /** A frame rate as ffprobe writes it ({@code 30000/1001}); 0 when unknown. */
    public static double rate(String fraction) {
        return fraction(fraction, "/");
    }

    /** An aspect ratio as ffprobe writes it ({@code 16:11}); 0 when unknown ({@code 0:1}). */
    private static double ratio(String ratio) {
        return fraction(ratio, ":");
    }

    private static double fraction(String text, String separator) {
        String[] parts = text.split(separator);
        try {
            double denominator = parts.length > 1 ? Double.parseDouble(parts[1]) : 1;
            return denominator == 0 ? 0 : Double.parseDouble(parts[0]) / denominator;
        } catch (NumberFormatException unknown) {
            return 0;
        }
    }

    /** The display rotation in degrees: the display matrix's side data, or the older rotate tag. */
    private static double rotation(JsonNode video) {
        for (JsonNode sideData : video.path("side_data_list")) {
            if (sideData.has("rotation")) {
                return sideData.path("rotation").asDouble();
            }
        }
        return video.path("tags").path("rotate").asDouble(0);
    }
}
