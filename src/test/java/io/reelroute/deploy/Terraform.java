package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.testing.Executables;

/**
 * Runs the terraform on this machine against the modules under deploy/terraform, offline: the AWS provider comes
 * from the mirror on the image (a folder named tf-plugins), nothing is downloaded and no credentials are needed.
 * Where terraform or the mirror is absent, {@link #orSkip} prints a {@code [SKIPPED]} line and aborts the test
 * with a JUnit assumption. Each module is run from a copy, so the checkout gets no .terraform folder or lock file.
 */
public final class Terraform {

    /** The root module of the AWS data plane. */
    public static final Path DATA_PLANE = Path.of("deploy", "terraform");
    /** The HLS packaging module the root module calls. */
    public static final Path HLS_PACKAGING = DATA_PLANE.resolve("hls-packaging");

    /**
     * The root module's OIDC variables have no defaults; these example values (account 111122223333) are enough to
     * evaluate its locals.
     */
    static final List<String> EXAMPLE_VARIABLES = List.of(
            "-var", "oidc_provider_arn=arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE",
            "-var", "oidc_issuer=oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE");

    private static final List<String> PLUGIN_DIRS = List.of("/opt/tf-plugins", "/usr/local/share/tf-plugins",
            "/usr/share/tf-plugins");
    private static final Pattern RUN_BLOCK = Pattern.compile("(?m)^run\\s+\"");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_MINUTES = 5;

    private final Path binary;
    private final Path plugins;

    private Terraform(Path binary, Path plugins) {
        this.binary = binary;
        this.plugins = plugins;
    }

    /** terraform and its provider mirror, if both are on this machine. */
    public static Optional<Terraform> find() {
        Optional<Path> plugins = PLUGIN_DIRS.stream().map(Path::of).filter(Files::isDirectory).findFirst();
        Optional<Path> binary = Executables.onPath("terraform");
        return binary.isPresent() && plugins.isPresent() ? Optional.of(new Terraform(binary.get(), plugins.get()))
                : Optional.empty();
    }

    /** terraform, or the calling test is skipped (a {@code [SKIPPED] test: ...} line and a JUnit assumption). */
    public static Terraform orSkip(String test) {
        Optional<Terraform> found = find();
        if (found.isEmpty()) {
            System.out.println("[SKIPPED] " + test + ": terraform or its AWS provider mirror (tf-plugins) is absent");
        }
        assumeTrue(found.isPresent(), "terraform or its AWS provider mirror is absent");
        return found.get();
    }

    /**
     * An initialised copy of {@code module} (with its subfolders: the modules it calls, its tests) in a scratch
     * folder, removed on close. (Not a JUnit @TempDir: init links the provider from the mirror, and JUnit warns
     * about every link it deletes.)
     */
    public Copy copy(Path module) {
        Path dir;
        try {
            dir = Files.createTempDirectory("reelroute-terraform-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Copy copy = new Copy(dir);
        try {
            copy(module, dir);
            run(dir, "init", "-backend=false", "-input=false", "-no-color", "-plugin-dir=" + plugins);
            return copy;
        } catch (RuntimeException | AssertionError e) {
            copy.close();
            throw e;
        }
    }

    /** A module's scratch copy; {@link #run} runs terraform in it. */
    public final class Copy implements AutoCloseable {
        private final Path dir;

        private Copy(Path dir) {
            this.dir = dir;
        }

        public Path dir() {
            return dir;
        }

        public String run(String... args) {
            return Terraform.this.run(dir, args);
        }

        public JsonNode console(String expression) {
            return Terraform.this.console(dir, expression);
        }

        @Override
        public void close() {
            delete(dir);
        }
    }

    /** Runs {@code terraform args...} in {@code dir}; fails the test on a non-zero exit. Returns stdout and stderr. */
    public String run(Path dir, String... args) {
        return execute(dir, null, args).all();
    }

    /** How many {@code run} blocks the module's tests/*.tftest.hcl hold: the count {@code terraform test} reports. */
    public static int testRuns(Path module) {
        Path tests = module.resolve("tests");
        try (Stream<Path> files = Files.list(tests)) {
            int runs = 0;
            for (Path file : files.filter(f -> f.toString().endsWith(".tftest.hcl")).toList()) {
                Matcher matcher = RUN_BLOCK.matcher(Files.readString(file));
                while (matcher.find()) {
                    runs++;
                }
            }
            return runs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The value of {@code expression} in the initialised root module at {@code dir}, through
     * {@code jsonencode(expression)} in {@code terraform console} with {@link #EXAMPLE_VARIABLES}: no state, no
     * credentials. Fails if the value is not known without applying.
     */
    public JsonNode console(Path dir, String expression) {
        List<String> args = new ArrayList<>(List.of("console", "-no-color"));
        args.addAll(EXAMPLE_VARIABLES);
        Output output = execute(dir, "jsonencode(" + expression + ")\n", args.toArray(String[]::new));
        String printed = output.stdout().strip();
        assertThat(printed).as("terraform console %s: %s", expression, output.all()).startsWith("\"").endsWith("\"");
        try {
            // The console prints the JSON text as a quoted HCL string, whose escapes are JSON's.
            return JSON.readTree(JSON.readValue(printed, String.class));
        } catch (IOException e) {
            throw new AssertionError("terraform console printed no JSON for " + expression + ": " + printed, e);
        }
    }

    /**
     * The eight queue names the data plane creates (local.queue_names: each work queue followed by its DLQ), for
     * prefix {@code reelroute}. Read once per JVM from a scratch copy of the root module.
     */
    public List<String> queueNames() {
        return dataPlane().queueNames();
    }

    /** Each role's policy document (local.role_policies), by role: api, media, inference, transcode, watchdog, keda-scaler. */
    public Map<String, JsonNode> rolePolicies() {
        return dataPlane().rolePolicies();
    }

    /**
     * The EventBridge patterns that route the input bucket's "Object Created" events (local.input_object_patterns),
     * by the queue they go to (chunking, video-worker), for prefix {@code reelroute}.
     */
    public Map<String, String> inputObjectPatterns() {
        return dataPlane().inputObjectPatterns();
    }

    /** What the root module's locals say, read once per JVM from a scratch copy. */
    private record DataPlane(List<String> queueNames, Map<String, JsonNode> rolePolicies,
            Map<String, String> inputObjectPatterns) {
    }

    private static DataPlane dataPlane;

    private synchronized DataPlane dataPlane() {
        if (dataPlane == null) {
            try (Copy copy = copy(DATA_PLANE)) {
                List<String> names = new ArrayList<>();
                copy.console("local.queue_names").forEach(name -> names.add(name.asText()));
                Map<String, JsonNode> policies = new LinkedHashMap<>();
                copy.console("local.role_policies").fields().forEachRemaining(role -> {
                    try {
                        policies.put(role.getKey(), JSON.readTree(role.getValue().asText()));
                    } catch (IOException e) {
                        throw new AssertionError("the policy of " + role.getKey() + " is not JSON", e);
                    }
                });
                Map<String, String> patterns = new LinkedHashMap<>();
                copy.console("local.input_object_patterns").fields()
                        .forEachRemaining(route -> patterns.put(route.getKey(), route.getValue().asText()));
                dataPlane = new DataPlane(List.copyOf(names), Map.copyOf(policies), Map.copyOf(patterns));
            }
        }
        return dataPlane;
    }

    private record Output(String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    private Output execute(Path dir, String input, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        String described = "terraform " + String.join(" ", args);
        try {
            Path stderrFile = Files.createTempFile("terraform-stderr-", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectError(stderrFile.toFile());
                // Offline and quiet: no version check, no prompts.
                builder.environment().put("CHECKPOINT_DISABLE", "1");
                builder.environment().put("TF_IN_AUTOMATION", "1");
                builder.environment().put("TF_INPUT", "0");
                Process process = builder.start();
                try (var stdin = process.getOutputStream()) {
                    if (input != null) {
                        stdin.write(input.getBytes(StandardCharsets.UTF_8));
                    }
                }
                String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                boolean finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
                if (!finished) {
                    process.destroyForcibly();
                }
                Output output = new Output(stdout, Files.readString(stderrFile));
                assertThat(finished).as("%s finished within %d minutes", described, TIMEOUT_MINUTES).isTrue();
                assertThat(process.exitValue()).as("%s: %s", described, output.all()).isZero();
                return output;
            } finally {
                Files.deleteIfExists(stderrFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(described, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + described, e);
        }
    }

    /** Copies the module's files, leaving out what a local terraform run leaves behind. */
    private static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path relative = from.relativize(file);
                if (leftOut(relative)) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean leftOut(Path relative) {
        for (Path part : relative) {
            if (part.toString().equals(".terraform")) {
                return true;
            }
        }
        String name = relative.getFileName().toString();
        return name.equals(".terraform.lock.hcl") || name.startsWith("terraform.tfstate") || name.endsWith(".tfvars");
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // A scratch folder left in the temp dir is harmless.
        }
    }
}
