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

/** ffprobe on a local file (or playlist), for the hops that run ffmpeg in a bean. */
@Component
public class FileProbe {

    private final MediaTools tools;
    private final Duration timeout;
    private final ObjectMapper mapper;

    @Autowired
    public FileProbe(MediaTools tools, ReelRouteProperties properties, ObjectMapper mapper) {
        this(tools, properties.media().probeTimeout(), mapper);
    }

    public FileProbe(MediaTools tools, Duration timeout, ObjectMapper mapper) {
        this.tools = tools;
        this.timeout = timeout;
        this.mapper = mapper;
    }

    /**
     * @throws UnprocessableSourceException when ffprobe can't read the file, runs past the timeout, or finds no
     *         video in it; the message says which, for the person who supplied the file
     */
    public VideoProbe probe(Path file) throws IOException {
        return VideoProbe.parse(json(file), mapper);
    }

    /**
     * ffprobe's description of the file ({@code format} and {@code streams}), as it prints it.
     *
     * @throws UnprocessableSourceException when ffprobe can't read the file or runs past the timeout
     */
    public JsonNode describe(Path file) throws IOException {
        JsonNode root = mapper.readTree(json(file));
        return root == null ? mapper.createObjectNode() : root;
    }

    /** ffprobe's JSON; its stdout and stderr share a log, so the JSON is cut out of it. */
    private String json(Path file) throws IOException {
        Path log = Files.createTempFile("reelroute-probe-", ".log");
        try {
            ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), MediaCommands.probe(file), timeout, log);
            if (!result.succeeded()) {
                throw new UnprocessableSourceException("ffprobe can't read " + file.getFileName()
                        + (result.timedOut() ? " within " + timeout.toSeconds() + " s" : " (exit code " + result.exitCode() + ")")
                        + (result.tail().isEmpty() ? "" : ": " + result.tail()));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            int start = output.indexOf('{');
            int end = output.lastIndexOf('}');
            return start < 0 || end < start ? "" : output.substring(start, end + 1);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
