package io.reelroute.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;

/** ffprobe on a local file (or playlist): the one way the hops ask what a media file holds. */
@Component
public class FileProbe {

    /** ffmpeg's complaint about a container that inputs may not be opened with: "[concat @ 0x…] Format not on whitelist". */
    private static final Pattern NOT_ALLOWED = Pattern.compile("\\[(\\w+)[\\w,]* @ 0x[0-9a-f]+\\] Format not on whitelist");

    /**
     * ffprobe could not read the file, or ran past the timeout. {@link #detail()} is what it said, for a person:
     * the file called by the name the caller gave, never by its path in a work folder.
     */
    public static final class Unreadable extends IOException {

        private final boolean timedOut;
        private final String detail;

        Unreadable(boolean timedOut, String detail) {
            super(detail);
            this.timedOut = timedOut;
            this.detail = detail;
        }

        public boolean timedOut() {
            return timedOut;
        }

        public String detail() {
            return detail;
        }
    }

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
        return VideoProbe.parse(json(file, MediaCommands.probe(file)), mapper);
    }

    /**
     * The file's video, for a caller that words the failure itself (its phase, what the file is to the job).
     *
     * @param name what the file is called in {@link Unreadable#detail()} in place of its path
     * @throws Unreadable when ffprobe can't read the file or runs past the timeout
     * @throws UnprocessableSourceException when ffprobe reads it but finds no usable video
     */
    public VideoProbe probe(Path file, String name) throws IOException {
        return VideoProbe.parse(json(file, name, MediaCommands.probe(file)), mapper);
    }

    /**
     * ffprobe's description of the file ({@code format} and {@code streams}), as it prints it.
     *
     * @throws UnprocessableSourceException when ffprobe can't read the file or runs past the timeout
     */
    public JsonNode describe(Path file) throws IOException {
        return describe(file, MediaCommands.probe(file));
    }

    /** As {@link #describe(Path)}, of an HLS playlist this process wrote, read through to its segments. */
    public JsonNode describePlaylist(Path playlist) throws IOException {
        return describe(playlist, MediaCommands.probePlaylist(playlist));
    }

    private JsonNode describe(Path file, List<String> args) throws IOException {
        JsonNode root = mapper.readTree(json(file, args));
        return root == null ? mapper.createObjectNode() : root;
    }

    private String json(Path file, List<String> args) throws IOException {
        String name = file.getFileName().toString();
        try {
            return json(file, name, args);
        } catch (Unreadable unreadable) {
            throw new UnprocessableSourceException(unreadable.timedOut()
                    ? "ffprobe could not read " + name + " within " + timeout.toSeconds() + " s"
                    : name + " is not a readable video: " + unreadable.detail());
        }
    }

    /** ffprobe's JSON; its stdout and stderr share a log, so the JSON is cut out of it. */
    private String json(Path file, String name, List<String> args) throws IOException {
        Path log = Files.createTempFile("reelroute-probe-", ".log");
        try {
            ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), args, timeout, log);
            if (result.timedOut()) {
                String tail = detail(result.tail(), file, name);
                throw new Unreadable(true, "stopped after the timeout of " + timeout.toSeconds() + " s"
                        + (tail.isEmpty() ? "" : "; " + tail));
            }
            if (!result.succeeded()) {
                String tail = detail(result.tail(), file, name);
                throw new Unreadable(false, tail.isEmpty() ? "ffprobe exited with code " + result.exitCode() : tail);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            int start = output.indexOf('{');
            int end = output.lastIndexOf('}');
            return start < 0 || end < start ? "" : output.substring(start, end + 1);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The reason for a file in a container that inputs may not be opened with ({@link MediaCommands#input}), from
     * what ffmpeg or ffprobe said; null when that was not why it failed.
     */
    static String refusedFormat(String tail) {
        Matcher refused = NOT_ALLOWED.matcher(tail);
        return refused.find() ? "its format (" + refused.group(1) + ") is not one of the media files ReelRoute reads; "
                + "upload the video file itself, not a playlist or a list of files" : null;
    }

    /**
     * What ffprobe said, for a person: the file called {@code name} rather than by its work folder's path (which
     * means nothing to them), without the empty JSON document it prints beside its error.
     */
    private static String detail(String tail, Path file, String name) {
        String refused = refusedFormat(tail);
        if (refused != null) {
            return refused;
        }
        return tail.replace(file.toAbsolutePath().toString(), name)
                .replace(file.toString(), name)
                .lines().map(String::strip).filter(line -> !line.isEmpty() && !line.equals("{") && !line.equals("}"))
                .collect(Collectors.joining("; "));
    }
}
