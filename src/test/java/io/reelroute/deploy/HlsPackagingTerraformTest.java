package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/terraform/hls-packaging validates and passes its {@code terraform test} (mock AWS provider), offline,
 * with the provider mirror on this machine's image. Skipped, saying why, where terraform or the mirror is absent.
 */
class HlsPackagingTerraformTest {

    private static final Path MODULE = Path.of("deploy", "terraform", "hls-packaging");

    @Test
    void theModuleValidatesAndItsTestsPass(@TempDir Path work) throws Exception {
        Optional<Path> plugins = Stream.of("/opt/tf-plugins", "/usr/local/share/tf-plugins", "/usr/share/tf-plugins")
                .map(Path::of).filter(Files::isDirectory).findFirst();
        boolean terraform = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "terraform")));
        if (!terraform || plugins.isEmpty()) {
            System.out.println("[SKIPPED] HlsPackagingTerraformTest: terraform or its AWS provider mirror (tf-plugins) is absent");
        }
        assumeTrue(terraform && plugins.isPresent(), "terraform or its AWS provider mirror is absent");
        copy(MODULE, work);

        run(work, "terraform", "init", "-backend=false", "-input=false", "-plugin-dir=" + plugins.get());
        assertThat(run(work, "terraform", "validate", "-no-color")).contains("The configuration is valid");
        assertThat(run(work, "terraform", "test", "-no-color")).contains("2 passed, 0 failed");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
        return output;
    }
}
