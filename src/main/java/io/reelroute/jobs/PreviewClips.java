package io.reelroute.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.PreviewClipKey;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.SegmentPlan;
import io.reelroute.media.UnprocessableSourceException;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The clips of a preview: {@code count} short clips spread evenly over a job's source, cut as the split cuts
 * segments ({@link SegmentPlan}: by stream copy from the keyframe at or before each start, or through the mezzanine) and written as preview clip objects, which the segment queue takes to
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
    private final ObjectMapper mapper;

    public PreviewClips(S3Client s3, S3Presigner presigner, MediaTools tools, ReelRouteProperties properties,
            ObjectMapper mapper) {
        this.mapper = mapper;
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
            VideoProbe probe = probe(source, dir);
            double duration = probe.durationSeconds();
            SegmentPlan plan = SegmentPlan.of(probe);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                // Clip i is centred at (i + 1) / (count + 1) of the video, within its bounds.
                double start = Math.max(0, Math.min(duration - seconds, duration * (i + 1) / (count + 1) - seconds / 2));
                Path clip = dir.resolve(i + ".mp4");
                ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), MediaCommands.clip(source, start, seconds, plan, clip),
                        timeout, dir.resolve(i + ".log"));
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

    /** What ffprobe says of the source, read through its URL. */
    private VideoProbe probe(String source, Path dir) throws IOException {
        Path log = dir.resolve("probe.log");
        ProcessRunner.Result result = ProcessRunner.run(tools.ffprobe(), MediaCommands.probe(source), timeout, log);
        // The presigned URL in ffprobe's words is the source to a person (and its signature is nobody's business).
        if (!result.succeeded()) {
            throw new Unreadable("the source is not a readable video" + (result.tail().isEmpty() ? "" : ": " + result.tail().replace(source, "source")));
        }
        String output = Files.readString(log);
        try {
            return VideoProbe.parse(output.substring(Math.max(0, output.indexOf('{'))), mapper);
        } catch (UnprocessableSourceException unusable) {
            throw new Unreadable(unusable.getMessage());
        }
    }
}
