package io.reelroute.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.PreviewClipKey;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.WorkFolders;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The clips of a preview: {@code count} short clips spread evenly over a job's source, cut by stream copy (each
 * from the keyframe at or before its start) and written as preview clip objects, which the segment queue takes to
 * the model. ffmpeg reads the source through a short-lived presigned URL, fetching only the ranges it needs, so
 * no whole source passes through the process that asks.
 */
@Component
public class PreviewClips {

    /** Thrown when the source can't be read or cut: the caller tells the person why. */
    public static class Unreadable extends RuntimeException {
        public Unreadable(String message) {
            super(message);
        }
    }

    private final S3Client s3;
    private final S3Presigner presigner;
    private final MediaTools tools;
    private final String inputBucket;
    private final Path workRoot;
    private final Duration timeout;

    public PreviewClips(S3Client s3, S3Presigner presigner, MediaTools tools, ReelRouteProperties properties) {
        this.s3 = s3;
        this.presigner = presigner;
        this.tools = tools;
        this.inputBucket = ResourceNames.fromPrefix(properties.prefix()).inputBucket();
        this.workRoot = properties.media().workRoot();
        this.timeout = properties.media().probeTimeout();
    }

    /** Cuts and uploads the clips of preview {@code previewId}; returns their keys. */
    public List<String> cut(String jobId, String previewId, int count, double seconds) throws IOException {
        String source = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(10))
                .getObjectRequest(r -> r.bucket(inputBucket).key(SourceKey.keyFor(jobId)))).url().toString();
        Path dir = WorkFolders.create(workRoot, "preview-clips-" + jobId);
        try {
            double duration = duration(source, dir);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                // Clip i is centred at (i + 1) / (count + 1) of the video, within its bounds.
                double start = Math.max(0, Math.min(duration - seconds, duration * (i + 1) / (count + 1) - seconds / 2));
                Path clip = dir.resolve(i + ".mp4");
                ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), List.of("-nostdin", "-nostats", "-loglevel", "error",
                        "-y", "-ss", String.format(Locale.ROOT, "%.3f", start), "-i", source,
                        "-t", String.format(Locale.ROOT, "%.3f", seconds), "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy",
                        "-avoid_negative_ts", "make_zero", "-movflags", "+faststart", clip.toString()), timeout, dir.resolve(i + ".log"));
                if (!result.succeeded() || !Files.exists(clip) || Files.size(clip) == 0) {
                    throw new Unreadable("could not cut preview clip " + i + " from the source: ffmpeg " + result.ending(timeout)
                            + (result.tail().isEmpty() ? "" : ": " + result.tail().replace(source, "source")));
                }
                String key = new PreviewClipKey(jobId, previewId, i, count).key();
                s3.putObject(r -> r.bucket(inputBucket).key(key).contentType("video/mp4"), RequestBody.fromFile(clip));
                keys.add(key);
            }
            return keys;
        } finally {
            WorkFolders.remove(dir);
        }
    }

    private double duration(String source, Path dir) throws IOException {
        Path log = dir.resolve("probe.log");
        ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), List.of("-v", "error", "-show_entries", "format=duration",
                "-of", "default=noprint_wrappers=1:nokey=1", source), timeout, log);
        String text = Files.exists(log) ? Files.readString(log).strip() : "";
        try {
            if (result.succeeded()) {
                return Double.parseDouble(text.lines().reduce((first, last) -> last).orElse(""));
            }
        } catch (NumberFormatException notANumber) {
            // fall through: not a duration
        }
        // The presigned URL in ffprobe's words is the source to a person (and its signature is nobody's business).
        throw new Unreadable("the source is not a readable video" + (result.tail().isEmpty() ? "" : ": " + result.tail().replace(source, "source")));
    }
}
