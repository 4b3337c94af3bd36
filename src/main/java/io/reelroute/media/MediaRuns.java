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
import io.reelroute.contract.FailurePhase;

/**
 * Prepares the {@code exec:} steps of the media routes (executable, argument list, timeout) and reads
 * their results, so that each ffmpeg or ffprobe run stays visible in its route. The exchange properties
 * {@code sourceFile} and {@code workDir} (paths) say what to work on. Each run serves one phase of the job
 * (probe, chunking, reassembly): a run that fails on the job's media fails the job in that phase.
 */
@Component("mediaRuns")
public class MediaRuns {

    public static final String SOURCE_FILE = "sourceFile";
    public static final String WORK_DIR = "workDir";
    public static final String SEGMENTS_DIR = "segments";
    /** The ffmpeg concat list (a path) and the joined file it writes, for {@link #prepareConcat}. */
    public static final String CONCAT_LIST = "concatList";
    public static final String FINAL_FILE = "finalFile";

    /** The {@link Run} prepared last, for reading its result. */
    private static final String RUN = "reelrouteMediaRun";
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

    /** A prepared run: the phase it serves, when it started and how long it may take. */
    private record Run(FailurePhase phase, long startedNanos, Duration timeout) {

        boolean timedOut() {
            return System.nanoTime() - startedNanos >= timeout.toNanos();
        }
    }

    public void prepareProbe(Exchange exchange) {
        prepare(exchange, FailurePhase.PROBE, tools.ffprobe(), MediaCommands.probe(path(exchange, SOURCE_FILE)),
                settings.probeTimeout());
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
        prepare(exchange, FailurePhase.CHUNKING, tools.ffmpeg(),
                MediaCommands.split(path(exchange, SOURCE_FILE), segments, segmentSeconds), settings.splitTimeout());
    }

    /** ffmpeg concat of the exchange properties {@code concatList} into {@code finalFile}, by stream copy. */
    public void prepareConcat(Exchange exchange) {
        prepare(exchange, FailurePhase.REASSEMBLY, tools.ffmpeg(),
                MediaCommands.concat(path(exchange, CONCAT_LIST), path(exchange, FINAL_FILE)), concatTimeout);
    }

    /**
     * Any other run: a non-zero exit is a {@link MediaCommandException} that carries the tail of stderr and fails
     * the job in the phase the run serves.
     */
    public void requireSuccess(Exchange exchange) throws InvalidPayloadException {
        ExecResult result = exchange.getMessage().getMandatoryBody(ExecResult.class);
        if (result.getExitValue() != 0) {
            throw new MediaCommandException(run(exchange).phase(),
                    Path.of(result.getCommand().getExecutable()).getFileName().toString(), result.getExitValue(),
                    failureDetail(exchange, result));
        }
    }

    private static void prepare(Exchange exchange, FailurePhase phase, String executable, List<String> args,
            Duration timeout) {
        var message = exchange.getMessage();
        message.setHeader(ExecBinding.EXEC_COMMAND_EXECUTABLE, executable);
        message.setHeader(ExecBinding.EXEC_COMMAND_ARGS, args);
        message.setHeader(ExecBinding.EXEC_COMMAND_TIMEOUT, timeout.toMillis());
        // Nothing may reach the program's stdin: camel-exec would feed it the message body.
        message.setBody(null);
        exchange.setProperty(RUN, new Run(phase, System.nanoTime(), timeout));
    }

    private static Run run(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        if (run == null) {
            throw new IllegalStateException("no media run was prepared on this exchange");
        }
        return run;
    }

    private static String failureDetail(Exchange exchange, ExecResult result) {
        Run run = run(exchange);
        String tail = tail(text(result.getStderr()));
        if (run.timedOut()) {
            return "stopped after the timeout of " + run.timeout().toSeconds() + " s" + (tail.isEmpty() ? "" : "; " + tail);
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
