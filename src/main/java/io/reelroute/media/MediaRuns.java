package io.reelroute.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecResult;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;

/**
 * Prepares the {@code exec:} steps of the media routes (executable, argument list, timeout) and reads
 * their results, so that each ffmpeg or ffprobe run stays visible in its route. The exchange properties
 * {@code sourceFile} and {@code workDir} (paths) say what to work on.
 */
@Component("mediaRuns")
public class MediaRuns {

    public static final String SOURCE_FILE = "sourceFile";
    public static final String WORK_DIR = "workDir";
    public static final String SEGMENTS_DIR = "segments";
    /** The ffmpeg concat list (a path) and the joined file it writes, for {@link #prepareConcat}. */
    public static final String CONCAT_LIST = "concatList";
    public static final String FINAL_FILE = "finalFile";

    private static final String STARTED = "reelrouteExecStarted";
    private static final String TIMEOUT = "reelrouteExecTimeout";
    private static final int STDERR_TAIL_CHARS = 600;

    private final MediaTools tools;
    private final ReelRouteProperties.Media settings;
    private final int segmentSeconds;
    private final Duration concatTimeout;
    private final ObjectMapper mapper;

    public MediaRuns(MediaTools tools, ReelRouteProperties properties, ObjectMapper mapper) {
        this.tools = tools;
        this.settings = properties.media();
        this.segmentSeconds = properties.chunking().segmentSeconds();
        this.concatTimeout = properties.reassembly().concatTimeout();
        this.mapper = mapper;
    }

    public void prepareProbe(Exchange exchange) {
        prepare(exchange, tools.ffprobe(), MediaCommands.probe(path(exchange, SOURCE_FILE)), settings.probeTimeout());
    }

    /** A source ffprobe can't read is bad input, not a fault of ours: it fails the job without retry. */
    public VideoProbe probeResult(Exchange exchange) throws InvalidPayloadException {
        ExecResult result = exchange.getMessage().getMandatoryBody(ExecResult.class);
        if (result.getExitValue() != 0) {
            // The work folder's path means nothing to the person who uploaded the file.
            String detail = failureDetail(exchange, result).replace(path(exchange, SOURCE_FILE).toString(), "source");
            throw new UnprocessableSourceException("the source is not a decodable video: " + detail);
        }
        return VideoProbe.parse(text(result.getStdout()), mapper);
    }

    public void prepareSplit(Exchange exchange) throws IOException {
        Path segments = path(exchange, WORK_DIR).resolve(SEGMENTS_DIR);
        java.nio.file.Files.createDirectories(segments);
        prepare(exchange, tools.ffmpeg(), MediaCommands.split(path(exchange, SOURCE_FILE), segments, segmentSeconds),
                settings.splitTimeout());
    }

    /** ffmpeg concat of the exchange properties {@code concatList} into {@code finalFile}, by stream copy. */
    public void prepareConcat(Exchange exchange) {
        prepare(exchange, tools.ffmpeg(), MediaCommands.concat(path(exchange, CONCAT_LIST), path(exchange, FINAL_FILE)),
                concatTimeout);
    }

    /** Any other run: a non-zero exit is an error that carries the tail of stderr. */
    public void requireSuccess(Exchange exchange) throws InvalidPayloadException {
        ExecResult result = exchange.getMessage().getMandatoryBody(ExecResult.class);
        if (result.getExitValue() != 0) {
            throw new MediaCommandException(Path.of(result.getCommand().getExecutable()).getFileName().toString(),
                    result.getExitValue(), failureDetail(exchange, result));
        }
    }

    private static void prepare(Exchange exchange, String executable, List<String> args, Duration timeout) {
        var message = exchange.getMessage();
        message.setHeader(ExecBinding.EXEC_COMMAND_EXECUTABLE, executable);
        message.setHeader(ExecBinding.EXEC_COMMAND_ARGS, args);
        message.setHeader(ExecBinding.EXEC_COMMAND_TIMEOUT, timeout.toMillis());
        // Nothing may reach the program's stdin: camel-exec would feed it the message body.
        message.setBody(null);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(TIMEOUT, timeout);
    }

    private static String failureDetail(Exchange exchange, ExecResult result) {
        Long started = exchange.getProperty(STARTED, Long.class);
        Duration timeout = exchange.getProperty(TIMEOUT, Duration.class);
        String tail = tail(text(result.getStderr()));
        if (started != null && timeout != null && System.nanoTime() - started >= timeout.toNanos()) {
            return "stopped after the timeout of " + timeout.toSeconds() + " s" + (tail.isEmpty() ? "" : "; " + tail);
        }
        return tail.isEmpty() ? "exit code " + result.getExitValue() : tail;
    }

    private static Path path(Exchange exchange, String property) {
        Object value = exchange.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("exchange property '" + property + "' is not set");
        }
        return value instanceof Path p ? p : Path.of(value.toString());
    }

    static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= STDERR_TAIL_CHARS ? trimmed : "…" + trimmed.substring(trimmed.length() - STDERR_TAIL_CHARS);
    }

    private static String text(InputStream stream) {
        if (stream == null) {
            return "";
        }
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
