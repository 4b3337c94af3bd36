package io.reelroute.media;

import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;

/**
 * Where ffmpeg and ffprobe are: a configured path (a container image may use its own), or else the
 * executables bundled in the bytedeco artifacts from Maven Central, extracted once into JavaCPP's cache.
 */
@Component
public class MediaTools {

    private static final Logger LOG = LoggerFactory.getLogger(MediaTools.class);

    private final String ffmpeg;
    private final String ffprobe;

    @Autowired
    public MediaTools(ReelRouteProperties properties) {
        this(properties.media().ffmpeg(), properties.media().ffprobe());
        MediaCommands.allowDemuxers(properties.media().demuxers());
        LOG.info("Inputs are opened as local files (or presigned URLs) with the demuxers {}", MediaCommands.demuxers());
    }

    public MediaTools(String ffmpegPath, String ffprobePath) {
        this.ffmpeg = hasText(ffmpegPath) ? ffmpegPath : bundled(org.bytedeco.ffmpeg.ffmpeg.class);
        this.ffprobe = hasText(ffprobePath) ? ffprobePath : bundled(org.bytedeco.ffmpeg.ffprobe.class);
        LOG.info("ffmpeg: {}, ffprobe: {}", ffmpeg, ffprobe);
    }

    /** The bundled tools, for tests and benchmarks that run outside Spring. */
    public static MediaTools bundled() {
        return new MediaTools(null, null);
    }

    public String ffmpeg() {
        return ffmpeg;
    }

    public String ffprobe() {
        return ffprobe;
    }

    private static String bundled(Class<?> program) {
        try {
            return Loader.load(program);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("The bundled " + program.getSimpleName() + " can't load its libraries ("
                    + e.getMessage() + "). On Debian or Ubuntu: apt-get install libpulse0. Or set reelroute.media.ffmpeg "
                    + "and reelroute.media.ffprobe to a system ffmpeg.", e);
        }
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
