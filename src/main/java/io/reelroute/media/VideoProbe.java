package io.reelroute.media;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What ffprobe says about a source: enough to decide whether it can be chunked. Width and height are the frame as
 * players show it (and as ffmpeg writes it, rotating by default): a phone clip recorded upright is stored landscape
 * with a rotation of 90 or 270 degrees, and is taller than wide here.
 */
public record VideoProbe(double durationSeconds, String videoCodec, int width, int height, boolean hasAudio,
        String pixelFormat, double frameRate) {

    /** Without a known frame rate (0). */
    public VideoProbe(double durationSeconds, String videoCodec, int width, int height, boolean hasAudio, String pixelFormat) {
        this(durationSeconds, videoCodec, width, height, hasAudio, pixelFormat, 0);
    }

    /** Pixel formats every browser decodes: 8-bit 4:2:0. */
    private static final Set<String> BROWSER_PIXEL_FORMATS = Set.of("yuv420p", "yuvj420p");

    /**
     * Whether browsers play the video as it is: H.264 or HEVC in 8-bit 4:2:0. A model may write 4:4:4, 10-bit or
     * a lossless codec (iw3 does for anaglyph), which most browsers refuse.
     */
    public boolean browserPlayable() {
        return ("h264".equals(videoCodec) || "hevc".equals(videoCodec)) && BROWSER_PIXEL_FORMATS.contains(pixelFormat);
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
        boolean audio = false;
        for (JsonNode stream : root.path("streams")) {
            String type = stream.path("codec_type").asText();
            boolean attachedPicture = stream.path("disposition").path("attached_pic").asInt() == 1;
            if ("video".equals(type) && !attachedPicture && video == null) {
                video = stream;
            } else if ("audio".equals(type)) {
                audio = true;
            }
        }
        if (video == null) {
            throw new UnprocessableSourceException("the source has no video stream"
                    + (audio ? " (it is audio only)" : ""));
        }
        double duration = root.path("format").path("duration").asDouble(0);
        if (duration <= 0) {
            duration = video.path("duration").asDouble(0);
        }
        if (duration <= 0) {
            throw new UnprocessableSourceException("the source has zero duration (a still image or an empty stream)");
        }
        int width = video.path("width").asInt();
        int height = video.path("height").asInt();
        boolean quarterTurn = Math.abs(Math.round(rotation(video) / 90.0)) % 2 == 1;
        return new VideoProbe(duration, video.path("codec_name").asText(), quarterTurn ? height : width,
                quarterTurn ? width : height, audio, video.path("pix_fmt").asText(""), rate(video.path("avg_frame_rate").asText("0/1")));
    }

    /** A frame rate as ffprobe writes it ({@code 30000/1001}); 0 when unknown. */
    public static double rate(String fraction) {
        String[] parts = fraction.split("/");
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
