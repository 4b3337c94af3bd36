package io.reelroute.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.PreviewClipKey;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.RemoteMedia;
import io.reelroute.media.SegmentPlan;
import io.reelroute.media.UnprocessableSourceException;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The clips of a preview: {@code count} short clips spread evenly over a job's source, cut as the split cuts
 * segments ({@link SegmentPlan}: by stream copy from the keyframe at or before each start, or through the mezzanine) and written as preview clip objects, which the segment queue takes to
 * the model. ffmpeg reads the source through a short-lived presigned URL ({@link RemoteMedia}), fetching only the
 * ranges it needs, so no whole source passes through the process that asks.
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
    private final RemoteMedia remote;
    private final MediaTools tools;
    private final String inputBucket;
    private final Path workRoot;
    private final Duration timeout;
    private final ObjectMapper mapper;

    public PreviewClips(S3Client s3, RemoteMedia remote, MediaTools tools, ReelRouteProperties properties,
            ObjectMapper mapper) {
        this.mapper = mapper;
        this.s3 = s3;
        this.remote = remote;
        this.tools = tools;
        this.inputBucket = ResourceNames.fromPrefix(properties.prefix()).inputBucket();
        this.workRoot = properties.media().workRoot();
        this.timeout = properties.media().probeTimeout();
    }

    /** Cuts and uploads the clips of preview {@code previewId}; returns their keys. */
    public List<String> cut(String jobId, String previewId, int count, double seconds) throws IOException {
        String source = remote.url(inputBucket, SourceKey.keyFor(jobId));
        Path dir = WorkFolders.create(workRoot, "preview-clips-" + jobId);
        try {
            VideoProbe probe = probe(source);
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
                            + (result.tail().isEmpty() ? "" : ": " + RemoteMedia.hide(result.tail(), source, "source")));
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
    private VideoProbe probe(String source) throws IOException {
        JsonNode description;
        try {
            description = remote.describe(source, "source");
        } catch (FileProbe.Unreadable unreadable) {
            throw new Unreadable("the source is not a readable video" + (unreadable.detail().isEmpty() ? "" : ": " + unreadable.detail()));
        }
        try {
            return VideoProbe.parse(description.toString(), mapper);
        } catch (UnprocessableSourceException unusable) {
            throw new Unreadable(unusable.getMessage());
        }
    }
}
