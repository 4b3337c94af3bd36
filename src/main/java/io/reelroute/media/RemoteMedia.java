package io.reelroute.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * ffmpeg and ffprobe on an object in S3, read through a short-lived presigned GET URL: they fetch only the byte
 * ranges they need, so no whole file passes through the process that asks. A URL carries its signature, so no
 * message ever shows it: callers name the object instead ({@link #hide}).
 */
@Component
public class RemoteMedia {

    private static final Duration URL_LIFETIME = Duration.ofMinutes(10);

    private final S3Presigner presigner;
    private final MediaTools tools;
    private final Duration timeout;
    private final ObjectMapper mapper;

    @Autowired
    public RemoteMedia(S3Presigner presigner, MediaTools tools, ReelRouteProperties properties, ObjectMapper mapper) {
        this(presigner, tools, properties.media().probeTimeout(), mapper);
    }

    public RemoteMedia(S3Presigner presigner, MediaTools tools, Duration timeout, ObjectMapper mapper) {
        this.presigner = presigner;
        this.tools = tools;
        this.timeout = timeout;
        this.mapper = mapper;
    }

    /** A GET URL of the object, valid for ten minutes: long enough for a probe or a cut, short enough to leak little. */
    public String url(String bucket, String key) {
        return presigner.presignGetObject(p -> p.signatureDuration(URL_LIFETIME)
                .getObjectRequest(r -> r.bucket(bucket).key(key))).url().toString();
    }

    /**
     * ffprobe's description ({@code format} and {@code streams}, as it prints them) of the media at {@code url}.
     *
     * @param name what the media is called in a failure's message, in place of the URL
     * @throws FileProbe.Unreadable when ffprobe can't read it or runs past the probe timeout
     */
    public JsonNode describe(String url, String name) throws IOException {
        Path log = Files.createTempFile("reelroute-probe-", ".log");
        try {
            ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), MediaCommands.probe(url), timeout, log);
            if (!result.succeeded()) {
                String refused = FileProbe.refusedFormat(result.tail());
                String tail = refused != null ? refused : hide(result.tail(), url, name);
                throw new FileProbe.Unreadable(result.timedOut(), result.timedOut()
                        ? "stopped after the timeout of " + timeout.toSeconds() + " s" + (tail.isEmpty() ? "" : "; " + tail)
                        : tail.isEmpty() ? "ffprobe exited with code " + result.exitCode() : tail);
            }
            // stdout and stderr share the log: the JSON is cut out of it.
            String output = Files.readString(log, StandardCharsets.UTF_8);
            int start = output.indexOf('{');
            int end = output.lastIndexOf('}');
            JsonNode root = start < 0 || end < start ? null : mapper.readTree(output.substring(start, end + 1));
            return root == null ? mapper.createObjectNode() : root;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** {@code text} (a tool's output) with the URL, and its signature, replaced by {@code name}. */
    public static String hide(String text, String url, String name) {
        return text == null ? "" : text.replace(url, name);
    }
}
