package io.reelroute.media;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program directly (no shell) with a time limit, its stdout and stderr going to a log file rather
 * than the heap: a model's command line may print progress for minutes. On timeout the program and its
 * children are killed. Every ffmpeg, ffprobe and model command runs through it, without the process's AWS
 * credentials and secrets in its environment ({@link Environment}). Programs still running when the application
 * stops (after graceful shutdown gave up on them) are killed by {@link #killAll()}.
 */
public final class ProcessRunner {

    /** How a run ended. {@code tail} is the end of its output, for reasons a person reads. */
    public record Result(int exitCode, boolean timedOut, String tail) {
        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** How an unsuccessful run ended, for a reason a person reads: "stopped after the timeout of N s" or "exited with code N". */
        public String ending(Duration timeout) {
            return timedOut ? "stopped after the timeout of " + timeout.toSeconds() + " s" : "exited with code " + exitCode;
        }
    }

    /**
     * A program's environment: the process's own ({@code parent}) without what only the process should hold, its AWS
     * credentials and where to get them ({@code AWS_*}: keys, session token, web identity token file, the container
     * credentials endpoint and token) and its own settings and secrets ({@code REELROUTE_*}, {@code SPRING_*}: the
     * webhook secret, the page-token key, ...). ffmpeg parses untrusted media; a model is someone else's code. Names
     * in {@code keep} are passed all the same (a model that needs its own AWS access, reelroute.inference.exec.keep-env).
     */
    public record Environment(Map<String, String> parent, Set<String> keep) {

        /** Prefixes of the names a program never gets unless kept. */
        static final List<String> WITHHELD = List.of("AWS_", "REELROUTE_", "SPRING_");

        /** This process's environment, nothing kept. */
        public static Environment inherited() {
            return new Environment(System.getenv(), Set.of());
        }

        /** The program's environment. */
        public Map<String, String> child() {
            Map<String, String> child = new TreeMap<>();
            parent.forEach((name, value) -> {
                String upper = name.toUpperCase(Locale.ROOT);
                if (keep.contains(name) || WITHHELD.stream().noneMatch(upper::startsWith)) {
                    child.put(name, value);
                }
            });
            return child;
        }
    }

    private static final int TAIL_BYTES = 600;
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    /** util-linux's setpriv, where this machine has it: it sets the parent-death signal and runs the program. */
    private static final String SETPRIV = onPath("setpriv");
    /** reelroute.media.die-with-parent ({@link ChildProcessReaper} sets it from the settings). */
    private static volatile boolean dieWithParent = true;

    private ProcessRunner() {
    }

    /** Runs {@code executable} with {@code args}; see {@link #run(List, Duration, Path)}. */
    public static Result run(String executable, List<String> args, Duration timeout, Path log) throws IOException {
        return run(executable, args, timeout, log, null);
    }

    public static Result run(List<String> command, Duration timeout, Path log) throws IOException {
        return run(command, timeout, log, Environment.inherited());
    }

    /** As {@link #run(List, Duration, Path)}, the program's environment made from {@code environment}. */
    public static Result run(List<String> command, Duration timeout, Path log, Environment environment) throws IOException {
        return run(command, timeout, log, environment, null);
    }

    /**
     * Something to do while a program runs, such as handing on the files it has finished: called every
     * {@link #WATCH_INTERVAL} until it ends. If it throws, the program is killed and the exception goes to the caller.
     */
    @FunctionalInterface
    public interface Watch {
        void poll() throws IOException;
    }

    /** How often a {@link Watch} looks: a local folder listing, far below a segment's length. */
    static final Duration WATCH_INTERVAL = Duration.ofMillis(100);

    /** Runs {@code executable} with {@code args} as {@link #run(String, List, Duration, Path)} does, calling {@code watch} meanwhile. */
    public static Result run(String executable, List<String> args, Duration timeout, Path log, Watch watch) throws IOException {
        List<String> command = new java.util.ArrayList<>(args.size() + 1);
        command.add(executable);
        command.addAll(args);
        return run(command, timeout, log, Environment.inherited(), watch);
    }

    private static Result run(List<String> command, Duration timeout, Path log, Environment environment, Watch watch)
            throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(launched(command))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(environment.child());
        Process process = builder.start();
        RUNNING.add(process);
        boolean ended = false;
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            long step = watch == null ? timeout.toNanos() : WATCH_INTERVAL.toNanos();
            while (!process.waitFor(Math.min(step, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)) {
                if (System.nanoTime() - deadline >= 0) {
                    kill(process);
                    ended = true;
                    return new Result(-1, true, tail(log));
                }
                if (watch != null) {
                    watch.poll();
                }
            }
            ended = true;
            return new Result(process.exitValue(), false, tail(log));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        } finally {
            if (!ended) {
                kill(process);
            }
            RUNNING.remove(process);
        }
    }

    /**
     * Whether programs are started so that the kernel kills them when this process dies, even by SIGKILL or the OOM
     * killer, when nothing of this process is left to kill them ({@link #killAll} covers a clean stop). Returns whether
     * that now holds: false where it is off, or where {@code setpriv} is missing.
     */
    public static boolean dieWithParent(boolean enabled) {
        dieWithParent = enabled;
        return enabled && SETPRIV != null;
    }

    /**
     * The command as it is started: behind {@code setpriv --pdeathsig KILL} where programs die with this process.
     * Linux sends the signal when the thread that started the program ends, not only the process: {@link #run} waits
     * for the program on that thread, so the thread outlives it unless the whole process dies.
     */
    static List<String> launched(List<String> command) {
        if (!dieWithParent || SETPRIV == null) {
            return command;
        }
        List<String> launched = new java.util.ArrayList<>(command.size() + 4);
        launched.addAll(List.of(SETPRIV, "--pdeathsig", "KILL", "--"));
        launched.addAll(command);
        return launched;
    }

    /** The full path of an executable found on PATH, or null. */
    static String onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        return null;
    }

    /** Kills every program still running, with its children; returns how many there were. */
    public static int killAll() {
        List<Process> running = List.copyOf(RUNNING);
        running.forEach(ProcessRunner::kill);
        return running.size();
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last few hundred bytes of a log, trimmed. */
    static String tail(Path log) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8).strip();
            return start > 0 ? "…" + text : text;
        }
    }
}
