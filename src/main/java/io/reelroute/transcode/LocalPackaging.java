package io.reelroute.transcode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.ResourceNames;
import io.reelroute.media.WorkFolders;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The local packager's disk and S3 work around ffmpeg: brings {@code final.mp4} to a work folder, uploads the
 * HLS folder under {@code jobs/{job_id}/hls/}, and writes the MediaConvert-shaped COMPLETE or ERROR event
 * that the transcode-events hop reads, so the routes after packaging can't tell the packagers apart.
 * Exchange properties: {@code jobId}; {@code workDir}, {@code finalFile} and {@code hlsDir} while it runs.
 */
@Component("localPackaging")
public class LocalPackaging {

    public static final String HLS_DIR = "hlsDir";
    private static final String WORK_DIR = "workDir";
    private static final String FINAL_FILE = "finalFile";
    static final String MASTER = "master.m3u8";

    private final S3Client s3;
    private final ObjectMapper mapper;
    private final ResourceNames names;
    private final Path workRoot;
    private final String region;

    public LocalPackaging(S3Client s3, ObjectMapper mapper, ReelRouteProperties properties) {
        this.s3 = s3;
        this.mapper = mapper;
        this.names = ResourceNames.fromPrefix(properties.prefix());
        this.workRoot = properties.media().workRoot();
        this.region = properties.aws().region();
    }

    public void download(Exchange exchange) throws IOException {
        String jobId = exchange.getProperty("jobId", String.class);
        Path dir = WorkFolders.create(workRoot, "hls-" + jobId);
        exchange.setProperty(WORK_DIR, dir);
        Path finalFile = dir.resolve("final.mp4");
        s3.getObject(r -> r.bucket(names.outputBucket()).key(OutputKeys.finalVideo(jobId)), finalFile);
        exchange.setProperty(FINAL_FILE, finalFile);
        exchange.setProperty(HLS_DIR, Files.createDirectories(dir.resolve("hls")));
    }

    /** Uploads every file of the HLS folder, keeping its layout, under {@code jobs/{job_id}/hls/}. */
    public void upload(Exchange exchange) throws IOException {
        String prefix = OutputKeys.hlsPrefix(exchange.getProperty("jobId", String.class));
        Path hls = exchange.getProperty(HLS_DIR, Path.class);
        try (Stream<Path> files = Files.walk(hls)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String key = prefix + hls.relativize(file).toString().replace('\\', '/');
                s3.putObject(r -> r.bucket(names.outputBucket()).key(key).contentType(contentType(file)),
                        RequestBody.fromFile(file));
            }
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

    public String completeEvent(Exchange exchange) throws JsonProcessingException {
        String jobId = exchange.getProperty("jobId", String.class);
        String master = "s3://" + names.outputBucket() + "/" + OutputKeys.hlsPrefix(jobId) + MASTER;
        return envelope(jobId, Map.of("status", "COMPLETE",
                "outputGroupDetails", List.of(Map.of("type", "HLS_GROUP", "playlistFilePaths", List.of(master)))));
    }

    public String errorEvent(Exchange exchange) throws JsonProcessingException {
        String jobId = exchange.getProperty("jobId", String.class);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return envelope(jobId, Map.of("status", "ERROR", "errorCode", "LOCAL_PACKAGER",
                "errorMessage", caught == null ? "the local packager failed" : String.valueOf(caught.getMessage())));
    }

    public void cleanup(Exchange exchange) {
        WorkFolders.remove(exchange.getProperty(WORK_DIR, Path.class));
    }

    /** An EventBridge envelope as the rule delivers it, with the detail MediaConvert would send. */
    private String envelope(String jobId, Map<String, Object> status) throws JsonProcessingException {
        Instant now = Instant.now();
        Map<String, Object> detail = new java.util.LinkedHashMap<>(Map.of(
                "timestamp", now.toEpochMilli(),
                "jobId", "local-" + jobId,
                "queue", "local",
                "userMetadata", Map.of("job_id", jobId)));
        detail.putAll(status);
        return mapper.writeValueAsString(Map.of(
                "version", "0",
                "id", java.util.UUID.randomUUID().toString(),
                "detail-type", TranscodeEvents.DETAIL_TYPE,
                "source", TranscodeEvents.SOURCE,
                "account", "000000000000",
                "time", now.toString(),
                "region", region,
                "resources", List.of(),
                "detail", detail));
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".m3u8")) {
            return "application/vnd.apple.mpegurl";
        }
        if (name.endsWith(".ts")) {
            return "video/mp2t";
        }
        return name.endsWith(".m4s") || name.endsWith(".mp4") ? "video/mp4" : "application/octet-stream";
    }
}
