package io.reelroute.transcode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.ResourceNames;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.Transfers;
import io.reelroute.media.WorkFolders;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The local packager's disk and S3 work around ffmpeg: brings {@code final.mp4} to a work folder and uploads the
 * HLS folder under {@code jobs/{job_id}/hls/}. The outcome event it leads to (COMPLETE or ERROR, in MediaConvert's
 * shape) is built by {@link TranscodeEvents}, which also reads it, so the routes after packaging can't tell the
 * packagers apart.
 */
@Component("localPackaging")
public class LocalPackaging {

    private final S3Client s3;
    private final JobStore jobs;
    private final ResourceNames names;
    private final Path workRoot;
    private final int parallelTransfers;

    public LocalPackaging(S3Client s3, JobStore jobs, ReelRouteProperties properties) {
        this.s3 = s3;
        this.jobs = jobs;
        this.names = ResourceNames.fromPrefix(properties.prefix());
        this.workRoot = properties.media().workRoot();
        this.parallelTransfers = properties.media().parallelTransfers();
    }

    /**
     * Downloads the job's {@code final.mp4} into a new work folder, beside an empty HLS folder; the run carries the
     * signalling of the job's stereo format, which the ladder keeps.
     */
    public PackagingRun download(String jobId) throws IOException {
        JobIds.requireValid(jobId);
        int framePacking = jobs.find(jobId).map(job -> MediaCommands.Encoding.of(job.params()).framePacking()).orElse(0);
        Path dir = WorkFolders.create(workRoot, "hls-" + jobId);
        try {
            Path finalFile = dir.resolve("final.mp4");
            s3.getObject(r -> r.bucket(names.outputBucket()).key(OutputKeys.finalVideo(jobId)), finalFile);
            return new PackagingRun(jobId, dir, finalFile, Files.createDirectories(dir.resolve("hls")), framePacking);
        } catch (IOException | RuntimeException e) {
            // The run never reaches the route, so its cleanup can't remove the folder.
            WorkFolders.remove(dir);
            throw e;
        }
    }

    /**
     * Uploads every file of the run's HLS folder, keeping its layout, under {@code jobs/{job_id}/hls/}, and returns
     * the master playlist's {@code s3://} URI. The files go up side by side (reelroute.media.parallel-transfers), the
     * master playlist last, so a player never finds it before what it lists.
     */
    public String upload(PackagingRun run) throws IOException {
        String prefix = OutputKeys.hlsPrefix(run.jobId());
        Path hls = run.hlsDir();
        Path master = hls.resolve(LocalHlsPackager.MASTER_PLAYLIST);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(hls)) {
            files = walk.filter(Files::isRegularFile).filter(file -> !file.equals(master)).toList();
        }
        try (Transfers<Object> uploads = new Transfers<>(parallelTransfers)) {
            files.forEach(file -> uploads.submit(() -> put(prefix, hls, file)));
            uploads.awaitAll();
        }
        put(prefix, hls, master);
        return "s3://" + names.outputBucket() + "/" + prefix + LocalHlsPackager.MASTER_PLAYLIST;
    }

    private Object put(String prefix, Path hls, Path file) {
        String key = prefix + hls.relativize(file).toString().replace('\\', '/');
        return s3.putObject(r -> r.bucket(names.outputBucket()).key(key).contentType(contentType(file)), RequestBody.fromFile(file));
    }

    /** Removes the run's work folder; nothing to do when there is no run (its download failed). */
    public void cleanup(PackagingRun run) {
        if (run != null) {
            WorkFolders.remove(run.workDir());
        }
    }

    /** Copies a job's HLS objects into {@code target}, keeping their layout (the embedded outbox). */
    public void copyTo(String jobId, String targetDir) throws IOException {
        Path target = Path.of(targetDir).toAbsolutePath();
        Files.createDirectories(target.getParent());
        // Written beside the target and moved into place at once: whoever watches the folder sees the whole
        // package or none of it.
        Path partial = Files.createTempDirectory(target.getParent(), target.getFileName() + ".partial-");
        try {
            String prefix = OutputKeys.hlsPrefix(jobId);
            for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(names.outputBucket()).prefix(prefix)).contents()) {
                Path file = partial.resolve(object.key().substring(prefix.length()));
                Files.createDirectories(file.getParent());
                s3.getObject(r -> r.bucket(names.outputBucket()).key(object.key()), file);
            }
            if (Files.exists(target)) {
                WorkFolders.remove(target);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(partial)) {
                WorkFolders.remove(partial);
            }
        }
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".m3u8")) {
            return "application/vnd.apple.mpegurl";
        }
        if (name.endsWith(".ts")) {
            return "video/mp2t";
        }
        if (name.endsWith(".vtt")) {
            return "text/vtt";
        }
        return name.endsWith(".m4s") || name.endsWith(".mp4") ? "video/mp4" : "application/octet-stream";
    }
}
