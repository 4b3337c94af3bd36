package io.reelroute.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.Mode;
import io.reelroute.contract.StereoParams;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.VideoProbe;

/**
 * {@code exec}: runs a command on the segment's local file, without a shell. The template
 * ({@code reelroute.inference.exec.command}, or a per-format or per-mode one) is split on whitespace (double quotes keep
 * spaces in an argument). {@code {input}}, {@code {output}}, {@code {mode}} and {@code {ffmpeg}} are replaced
 * within each argument; the job's stereo params ({@code {format}}, {@code {anaglyph_method}},
 * {@code {divergence}}, {@code {convergence}}, {@code {depth_model}}, {@code {max_fps}}, {@code {encoder}},
 * {@code {crf}}) and {@code {params_json}} (all of them as one JSON object) only where an argument is the
 * placeholder alone, so a value is always one whole argument. With no template, the CPU stereo preview of
 * {@link MediaCommands#stereoPreview} runs with the configured ffmpeg. The command gets this process's environment
 * without its AWS credentials and secrets ({@link ProcessRunner.Environment}), except the names of
 * {@code reelroute.inference.exec.keep-env}.
 */
@Component
public class ExecInference implements InferenceBackend {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MediaTools tools;
    private final FileProbe probe;
    private final String command;
    private final Map<String, String> commandByMode;
    private final Map<String, String> commandByFormat;
    private final ProcessRunner.Environment environment;

    @Autowired
    public ExecInference(MediaTools tools, FileProbe probe, ReelRouteProperties properties) {
        this(tools, probe, properties, System.getenv());
    }

    /** @param parentEnvironment what the model's environment is made from: this process's, in production */
    ExecInference(MediaTools tools, FileProbe probe, ReelRouteProperties properties, Map<String, String> parentEnvironment) {
        this.environment = new ProcessRunner.Environment(parentEnvironment, properties.inference().exec().keepEnv() == null
                ? Set.of() : Set.copyOf(properties.inference().exec().keepEnv()));
        this.tools = tools;
        this.probe = probe;
        this.command = properties.inference().exec().command();
        this.commandByMode = properties.inference().exec().commandByMode() == null ? Map.of()
                : properties.inference().exec().commandByMode();
        this.commandByFormat = properties.inference().exec().commandByFormat() == null ? Map.of()
                : properties.inference().exec().commandByFormat();
    }

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public boolean worksInS3() {
        return false;
    }

    @Override
    public void infer(SegmentWork work) {
        List<String> args = command(work);
        ProcessRunner.Result result;
        try {
            result = ProcessRunner.run(args, work.timeout(), work.workDir().resolve("inference.log"), environment);
        } catch (IOException e) {
            throw new InferenceFailure(work.describe() + ": could not run " + args.get(0) + ": " + e.getMessage(), e);
        }
        String program = Path.of(args.get(0)).getFileName().toString();
        if (result.timedOut()) {
            throw new InferenceFailure(work.describe() + ": " + program + " stopped after the timeout of "
                    + work.timeout().toSeconds() + " s" + detail(result.tail()));
        }
        if (result.exitCode() != 0) {
            throw new InferenceFailure(work.describe() + ": " + program + " exited with " + result.exitCode()
                    + detail(result.tail()));
        }
        try {
            if (!Files.exists(work.outputFile()) || Files.size(work.outputFile()) == 0) {
                throw new InferenceFailure(work.describe() + ": " + program + " exited 0 but wrote no output file");
            }
        } catch (IOException e) {
            throw new InferenceFailure(work.describe() + ": output unreadable: " + e.getMessage(), e);
        }
    }

    /** The argument list for one segment: the template with its placeholders filled, or the preview. */
    List<String> command(SegmentWork work) {
        StereoParams params = work.params();
        Mode mode = params.format().mode();
        String template = commandByFormat.getOrDefault(params.format().id(), commandByMode.getOrDefault(mode.id(), command));
        if (template == null || template.isBlank()) {
            List<String> preview = new ArrayList<>();
            preview.add(tools.ffmpeg());
            preview.addAll(MediaCommands.stereoPreview(work.inputFile(), work.outputFile(), params, segment(work)));
            return preview;
        }
        Map<String, String> whole = new HashMap<>();
        params.byName().forEach((name, value) -> whole.put("{" + name + "}", String.valueOf(value)));
        try {
            whole.put("{params_json}", JSON.writeValueAsString(params.byName()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the params as JSON", e);
        }
        return tokens(template).stream()
                .map(token -> whole.containsKey(token) ? whole.get(token)
                        : token.replace("{input}", work.inputFile().toString())
                                .replace("{output}", work.outputFile().toString())
                                .replace("{mode}", mode.id())
                                .replace("{ffmpeg}", tools.ffmpeg()))
                .toList();
    }

    /** The segment's frame as shown (the preview's parallax is a share of its width) and frame rate. */
    private VideoProbe segment(SegmentWork work) {
        try {
            return probe.probe(work.inputFile());
        } catch (IOException e) {
            throw new InferenceFailure(work.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Whitespace-separated tokens; double quotes group a token that contains spaces. */
    static List<String> tokens(String template) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : template.strip().toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any) {
                    tokens.add(current.toString());
                    current.setLength(0);
                    any = false;
                }
            } else {
                current.append(c);
                any = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unbalanced double quote in the inference command template: " + template);
        }
        if (any) {
            tokens.add(current.toString());
        }
        return tokens;
    }

    private static String detail(String tail) {
        return tail == null || tail.isBlank() ? "" : ": " + tail;
    }
}
