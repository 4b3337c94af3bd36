package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.reelroute.bench.StartupBenchmark;

/**
 * deploy/Dockerfile can't be built here (no Docker engine), so its references are checked: what it copies
 * from the build context exists, the artifact it copies is the one Maven builds, the entrypoint runs what was
 * copied, the routes land where the settings point, the image runs as a non-root user on a JRE, and it starts
 * from the class-data-sharing archive of a training run.
 */
class DockerfileTest {

    static final Path DOCKERFILE = Path.of("deploy", "Dockerfile");
    private static final String APP_DIR = "/app";
    private static final String APP_JAR = "reelroute.jar";

    @Test
    void everythingTheImageCopiesFromTheContextExists() throws IOException {
        List<String> sources = new ArrayList<>();
        for (String line : instructions()) {
            if (line.startsWith("COPY ") && !line.contains("--from=")) {
                String[] words = line.substring(5).trim().split("\\s+");
                for (int i = 0; i < words.length - 1; i++) {
                    sources.add(words[i]);
                }
            }
        }
        assertThat(sources).contains(".mvn", "mvnw", "pom.xml", "src", "routes");
        for (String source : sources) {
            assertThat(Path.of(source)).as("COPY source %s", source).exists();
        }
        // Nothing the build needs is excluded from the context.
        List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("target", "data").doesNotContainAnyElementsOf(sources);
    }

    @Test
    void theEntrypointRunsTheArtifactMavenBuildsWithoutTheEmulators() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher artifact = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(
                pom.substring(pom.indexOf("</parent>")));
        assertThat(artifact.find()).isTrue();
        List<String> lines = instructions();
        String build = lines.stream().filter(l -> l.startsWith("RUN ") && l.contains(" package")).findFirst().orElseThrow();
        assertThat(build).contains("-Dproduction");
        // The artifact extracted into the application's jar and its lib/, which the run stage copies.
        String extract = lines.stream().filter(l -> l.startsWith("RUN ") && l.contains("-Djarmode=tools")).findFirst().orElseThrow();
        assertThat(extract).contains("-jar target/" + artifact.group(1) + "-*.jar extract", "--destination target/extracted",
                "--application-filename " + APP_JAR);
        String copied = lines.stream().filter(l -> l.startsWith("COPY --from=build")).findFirst().orElseThrow();
        assertThat(copied).isEqualTo("COPY --from=build /src/target/extracted " + APP_DIR);
        assertThat(entrypoint()).contains("\"-jar\", \"" + APP_DIR + "/" + APP_JAR + "\"");
    }

    /**
     * Each start maps a class-data-sharing archive written in the run stage (by the JVM that reads it) by a training
     * run of the extracted jar, with the flags StartupBenchmark measured.
     */
    @Test
    void theImageStartsFromTheClassDataSharingArchiveOfATrainingRun() throws IOException {
        List<String> lines = instructions();
        List<String> stages = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        List<String> runStage = lines.subList(lines.indexOf(stages.get(stages.size() - 1)), lines.size());
        String archive = APP_DIR + "/reelroute.jsa";
        String training = runStage.stream().filter(l -> l.startsWith("RUN java ") && l.contains("ArchiveClassesAtExit"))
                .findFirst().orElseThrow();
        for (String flag : StartupBenchmark.TRAINING) {
            assertThat(training).contains(flag.replace("reelroute.jsa", archive));
        }
        assertThat(training).endsWith("-jar " + APP_DIR + "/" + APP_JAR);
        // After the routes and the settings it reads are in place, before the image drops root.
        assertThat(runStage.indexOf(training)).isGreaterThan(indexOf(runStage, "COPY routes"))
                .isGreaterThan(indexOf(runStage, "ENV ")).isLessThan(indexOf(runStage, "USER "));
        assertThat(entrypoint()).startsWith("ENTRYPOINT [\"java\", \"-XX:SharedArchiveFile=" + archive + "\", \"-jar\"");
    }

    /**
     * The image runs the bundled ffmpeg unpacked at build time, as StartupBenchmark's image starts do, instead of
     * extracting it at each start: the entries unpacked are where the artifact on the classpath has them, and the run
     * stage checks that they run (after libpulse0 is installed) and points the settings at them.
     */
    @Test
    void theImageRunsTheBundledFfmpegUnpackedAtBuildTime() throws IOException {
        URL executable = getClass().getClassLoader().getResource(StartupBenchmark.FFMPEG_ENTRIES + "ffmpeg");
        assertThat(executable).as("the bundled linux-x86_64 ffmpeg on the classpath").isNotNull();
        String jar = executable.toString().substring(0, executable.toString().indexOf("!/"));
        assertThat(jar.substring(jar.lastIndexOf('/') + 1)).matches("ffmpeg-.*-linux-x86_64-gpl\\.jar");
        List<String> lines = instructions();
        String unpack = lines.stream().filter(l -> l.startsWith("RUN ") && l.contains("jar xf")).findFirst().orElseThrow();
        assertThat(unpack).contains("jar xf ../extracted/lib/ffmpeg-*-linux-x86_64-gpl.jar " + StartupBenchmark.FFMPEG_ENTRIES,
                "chmod 755 ffmpeg ffprobe");
        List<String> stages = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        List<String> runStage = lines.subList(lines.indexOf(stages.get(stages.size() - 1)), lines.size());
        assertThat(runStage).contains("COPY --from=build /src/target/ffmpeg " + APP_DIR + "/ffmpeg");
        assertThat(indexOf(runStage, "RUN " + APP_DIR + "/ffmpeg/ffmpeg -hide_banner -version")).isGreaterThan(indexOf(runStage, "RUN apt-get"));
        String environment = runStage.stream().filter(l -> l.startsWith("ENV ")).findFirst().orElseThrow();
        assertThat(environment).contains("REELROUTE_MEDIA_FFMPEG=" + APP_DIR + "/ffmpeg/ffmpeg",
                "REELROUTE_MEDIA_FFPROBE=" + APP_DIR + "/ffmpeg/ffprobe");
    }

    private static String entrypoint() throws IOException {
        return instructions().stream().filter(l -> l.startsWith("ENTRYPOINT")).reduce((a, b) -> b).orElseThrow();
    }

    private static int indexOf(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().map(lines::indexOf).orElseThrow();
    }

    @Test
    void theRunStageIsAJreWithTheRoutesWhereTheSettingsLookAndNoRoot() throws IOException {
        List<String> lines = instructions();
        List<String> stages = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        String run = stages.get(stages.size() - 1);
        assertThat(run).containsIgnoringCase("jre").doesNotContain(" AS ");
        String runStage = String.join("\n", lines.subList(lines.indexOf(run), lines.size()));
        assertThat(runStage).contains("COPY routes /app/routes").contains("REELROUTE_ROUTES_DIR=/app/routes");
        // The bundled ffmpeg links libpulse.so.0; setpriv makes programs die with the JVM, and the build checks for it.
        assertThat(runStage).contains("libpulse0").contains("util-linux").contains("command -v setpriv");
        String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        assertThat(user.substring(5).trim()).isNotIn("root", "0");
        assertThat(runStage).contains("JAVA_TOOL_OPTIONS=").contains("MaxRAMPercentage");
        assertThat(Path.of("routes", "mediaconvert-job.json")).exists();
    }

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    static List<String> instructions() throws IOException {
        List<String> joined = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(DOCKERFILE)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                joined.add(current.toString().trim().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        return joined;
    }
}
