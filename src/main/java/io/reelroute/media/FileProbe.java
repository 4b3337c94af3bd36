package io.reelroute.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

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

    /**
     * What ffprobe said, for a person: without the work folder's path (it means nothing to them) and without the
     * empty JSON document it prints beside its error.
     */
    private static String detail(String tail, Path file) {
        return tail.replace(file.toAbsolutePath().toString(), file.getFileName().toString())
                .replace(file.toString(), file.getFileName().toString())
                .lines().map(String::strip).filter(line -> !line.isEmpty() && !line.equals("{") && !line.equals("}"))
                .collect(Collectors.joining("; "));
    }

    /** ffprobe's JSON; its stdout and stderr share a log, so the JSON is cut out of it. */
    private String json(Path file) throws IOException {
        Path log = Files.createTempFile("reelroute-probe-", ".log");
        try {
            ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), MediaCommands.probe(file), timeout, log);
            if (result.timedOut()) {
                throw new UnprocessableSourceException("ffprobe could not read " + file.getFileName() + " within "
                        + timeout.toSeconds() + " s");
            }
            if (!result.succeeded()) {
                throw new UnprocessableSourceException(file.getFileName() + " is not a readable video: " + detail(result.tail(), file));
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
