package io.reelroute.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a run's CPU time went, from Linux's /proc: the finished child processes (ffmpeg and ffprobe), this JVM's
 * threads grouped by what they serve, and the cores' idle time. With the cores busy all the time, a run can only
 * get shorter by doing less work; with idle time, by overlapping more. Needs Linux; times are in clock ticks of
 * 1/100 s ({@code getconf CLK_TCK}).
 */
final class CpuUse {

    private static final double TICK = 0.01;
    /** Thread name prefixes (Linux keeps 15 characters of a name) and what the threads serve, first match wins. */
    private static final List<Map.Entry<String, String>> GROUPS = List.of(
            Map.entry("C1 CompilerThre", "JIT compiler"), Map.entry("C2 CompilerThre", "JIT compiler"),
            Map.entry("GC Thread", "garbage collector"), Map.entry("G1 ", "garbage collector"),
            Map.entry("VM ", "JVM"), Map.entry("http-nio", "embedded S3 (and the API)"),
            Map.entry("qtp", "embedded DynamoDB"), Map.entry("SQLiteQueue", "embedded DynamoDB"),
            Map.entry("elasticmq", "embedded SQS"), Map.entry("Camel", "routes"),
            Map.entry("sdk-", "AWS SDK"), Map.entry("aws-java-sdk", "AWS SDK"));

    /** A reading of the counters. */
    record Reading(long jvm, long children, long idle, long cores, Map<String, Long> threads) {
    }

    private CpuUse() {
    }

    static Reading read() {
        String[] self = fieldsAfterName(Path.of("/proc/self/stat"));
        // utime, stime, cutime, cstime are fields 14 to 17; fieldsAfterName starts at field 3.
        long jvm = Long.parseLong(self[11]) + Long.parseLong(self[12]);
        long children = Long.parseLong(self[13]) + Long.parseLong(self[14]);
        long idle = 0;
        long cores = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                String[] f = line.split("\\s+");
                if (f[0].equals("cpu")) {
                    idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                } else if (f[0].startsWith("cpu")) {
                    cores++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Long> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    String[] f = fieldsAfterName(task.resolve("stat"));
                    threads.put(task.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (NoSuchFileException | UncheckedIOException ended) {
                    // The thread ended while being read; its time shows as the threads that ended.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Reading(jvm, children, idle, cores, threads);
    }

    /** What was used from {@code before} to {@code after}, as one line per kind, in CPU seconds. */
    static String between(Reading before, Reading after, double wallSeconds) {
        Map<String, Long> groups = new HashMap<>();
        long threadsSeen = 0;
        for (Map.Entry<String, Long> thread : after.threads().entrySet()) {
            long used = thread.getValue() - before.threads().getOrDefault(thread.getKey(), 0L);
            threadsSeen += used;
            groups.merge(group(thread.getKey().substring(thread.getKey().indexOf(' ') + 1)), used, Long::sum);
        }
        long jvm = after.jvm() - before.jvm();
        groups.merge("threads that ended meanwhile", Math.max(0, jvm - threadsSeen), Long::sum);
        Map<String, Long> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        List<String> jvmParts = new ArrayList<>();
        sorted.forEach((group, ticks) -> jvmParts.add(String.format("%s %.1f", group, ticks * TICK)));
        double capacity = wallSeconds * after.cores();
        double children = (after.children() - before.children()) * TICK;
        double idle = (after.idle() - before.idle()) * TICK;
        return String.format("%d cores x %.1f s = %.1f core-s: ffmpeg and ffprobe %.1f, this JVM %.1f (%s), other processes %.1f, idle %.1f",
                after.cores(), wallSeconds, capacity, children, jvm * TICK, String.join(", ", jvmParts),
                Math.max(0, capacity - children - jvm * TICK - idle), idle);
    }

    private static String group(String threadName) {
        return GROUPS.stream().filter(g -> threadName.startsWith(g.getKey())).map(Map.Entry::getValue).findFirst().orElse("other threads");
    }

    /** The fields of a /proc stat line after the process name in brackets, which may hold spaces. */
    private static String[] fieldsAfterName(Path stat) {
        try {
            String line = Files.readString(stat);
            return line.substring(line.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
