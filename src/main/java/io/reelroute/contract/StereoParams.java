package io.reelroute.contract;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stereo job's params (routes/pipelines/stereo/stereo.params.schema.json), typed. The schema checked them and
 * filled in its defaults when the job was created; a job created before formats has only {@code mode}, which
 * maps onto {@code format}, and the schema's defaults stand in for the rest.
 *
 * @param divergence the 3D strength: the largest parallax, in percent of the frame's width
 * @param convergence where the screen plane lies: 0 everything in front of it, 1 everything behind
 * @param depthModel the depth model a real model runs (one of the deployment's reelroute.stereo.depth-models)
 * @param maxFps the highest frame rate of the output; a faster source is converted down
 * @param encoder {@code h264} or {@code hevc}, at {@code crf}
 */
public record StereoParams(StereoFormat format, String anaglyphMethod, double divergence, double convergence,
        String depthModel, int maxFps, String encoder, int crf) {

    /** The schema's defaults, for params a job does not have. */
    public static final String DEFAULT_ANAGLYPH_METHOD = "dubois";
    public static final double DEFAULT_DIVERGENCE = 2.0;
    public static final double DEFAULT_CONVERGENCE = 0.5;
    public static final int DEFAULT_MAX_FPS = 30;
    public static final String DEFAULT_ENCODER = "h264";
    public static final int DEFAULT_CRF = 20;

    /** @param defaultDepthModel the deployment's default, for a job that names none */
    public static StereoParams of(Params params, String defaultDepthModel) {
        String format = params.text("format");
        String mode = params.text("mode");
        return new StereoParams(
                format != null ? StereoFormat.fromId(format) : StereoFormat.ofMode(mode == null ? Mode.SBS : Mode.fromId(mode)),
                orDefault(params.text("anaglyph_method"), DEFAULT_ANAGLYPH_METHOD),
                orDefault(params.number("divergence"), DEFAULT_DIVERGENCE).doubleValue(),
                orDefault(params.number("convergence"), DEFAULT_CONVERGENCE).doubleValue(),
                orDefault(params.text("depth_model"), defaultDepthModel),
                orDefault(params.number("max_fps"), DEFAULT_MAX_FPS).intValue(),
                orDefault(params.text("encoder"), DEFAULT_ENCODER),
                orDefault(params.number("crf"), DEFAULT_CRF).intValue());
    }

    /**
     * By their names in the schema, in its order: what the remote backends' requests carry as {@code params} and
     * what an exec template's placeholders are filled from.
     */
    public Map<String, Object> byName() {
        Map<String, Object> named = new LinkedHashMap<>();
        named.put("format", format.id());
        named.put("anaglyph_method", anaglyphMethod);
        named.put("divergence", divergence);
        named.put("convergence", convergence);
        named.put("depth_model", depthModel);
        named.put("max_fps", maxFps);
        named.put("encoder", encoder);
        named.put("crf", crf);
        return named;
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
