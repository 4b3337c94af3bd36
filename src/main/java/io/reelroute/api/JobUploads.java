package io.reelroute.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.aws.AwsResources;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.SourceKey;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Multipart upload of a job's source, for files too large for one PUT (S3 takes at most 5 GiB in one): the
 * client asks for presigned part URLs, PUTs each part, keeps each part's ETag, and completes the upload with
 * them. The upload id travels with the client; it only ever names the source key of a job the caller owns.
 * Completing the upload creates {@code input/{job_id}/source.mp4}, and its ObjectCreated event starts the job.
 */
@Component("jobUploads")
public class JobUploads {

    private static final Logger LOG = LoggerFactory.getLogger(JobUploads.class);
    /** S3's limits: parts are numbered 1 to 10,000 and all but the last hold at least 5 MiB. */
    static final int MAX_PARTS = 10_000;
    static final long MIN_PART_BYTES = 5L * 1024 * 1024;

    private final JobApi jobApi;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final ReelRouteProperties.Api settings;
    private final ObjectMapper mapper;

    public JobUploads(JobApi jobApi, S3Client s3, S3Presigner presigner, AwsResources resources,
            ReelRouteProperties properties, ObjectMapper mapper) {
        this.jobApi = jobApi;
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = resources.names().inputBucket();
        this.settings = properties.api();
        this.mapper = mapper;
    }

    /**
     * POST /jobs/{id}/upload-parts {"parts": N, "upload_id": optional}: starts a multipart upload (or continues
     * the given one, e.g. for URLs that expired) and presigns parts 1 to N.
     */
    public ApiResponse parts(String id, String body, String subject) {
        Job job = awaitingUpload(id, subject);
        JsonNode request = JsonBodies.object(body, mapper, "{\"parts\": 3}");
        JsonNode partsNode = request.get("parts");
        if (partsNode == null || !partsNode.canConvertToInt() || !partsNode.isIntegralNumber()
                || partsNode.asInt() < 1 || partsNode.asInt() > MAX_PARTS) {
            throw ApiException.badRequest("parts must be a whole number from 1 to " + MAX_PARTS);
        }
        int parts = partsNode.asInt();
        String key = SourceKey.keyFor(job.jobId());
        String uploadId = JsonBodies.optionalText(request, "upload_id");
        if (uploadId == null) {
            uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType("video/mp4")).uploadId();
            LOG.info("Job {}: multipart upload of its source started ({} parts)", job.jobId(), parts);
        }
        String upload = uploadId;
        List<Map<String, Object>> urls = new ArrayList<>();
        Instant expiresAt = null;
        for (int part = 1; part <= parts; part++) {
            int number = part;
            var presigned = presigner.presignUploadPart(p -> p.signatureDuration(settings.uploadUrlExpiry())
                    .uploadPartRequest(r -> r.bucket(bucket).key(key).uploadId(upload).partNumber(number)));
            urls.add(Map.of("part_number", number, "url", presigned.url().toString()));
            expiresAt = jobApi.honouredUntil(presigned.expiration());
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", job.jobId());
        view.put("upload_id", uploadId);
        view.put("method", "PUT");
        view.put("min_part_bytes", MIN_PART_BYTES);
        view.put("parts", urls);
        view.put("expires_at", expiresAt.toString());
        return new ApiResponse(201, view);
    }

    /**
     * POST /jobs/{id}/complete-upload {"upload_id": ..., "parts": [{"part_number": 1, "etag": "..."}, ...]}:
     * S3 joins the parts into the source, which starts the job. S3's refusals (a missing or too small part, an
     * unknown upload) are the caller's to fix and come back as 400 with S3's message.
     */
    public ApiResponse complete(String id, String body, String subject) {
        Job job = awaitingUpload(id, subject);
        JsonNode request = JsonBodies.object(body, mapper, "{\"upload_id\": \"...\", \"parts\": [{\"part_number\": 1, \"etag\": \"...\"}]}");
        String uploadId = JsonBodies.optionalText(request, "upload_id");
        if (uploadId == null) {
            throw ApiException.badRequest("upload_id is required: the one POST /jobs/{id}/upload-parts returned");
        }
        JsonNode partsNode = request.get("parts");
        if (partsNode == null || !partsNode.isArray() || partsNode.isEmpty() || partsNode.size() > MAX_PARTS) {
            throw ApiException.badRequest("parts must list each uploaded part as {\"part_number\", \"etag\"}");
        }
        List<CompletedPart> parts = new ArrayList<>();
        int previous = 0;
        for (JsonNode part : partsNode) {
            JsonNode number = part.get("part_number");
            String etag = JsonBodies.optionalText(part, "etag");
            if (number == null || !number.isIntegralNumber() || etag == null) {
                throw ApiException.badRequest("each part needs a whole part_number and the etag its upload returned");
            }
            if (number.asInt() <= previous) {
                throw ApiException.badRequest("parts must be listed in ascending part_number order, each once");
            }
            previous = number.asInt();
            parts.add(CompletedPart.builder().partNumber(number.asInt()).eTag(etag).build());
        }
        String key = SourceKey.keyFor(job.jobId());
        try {
            s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (S3Exception refused) {
            if (refused.statusCode() >= 500) {
                throw refused;
            }
            String reason = refused.awsErrorDetails() == null ? refused.getMessage()
                    : refused.awsErrorDetails().errorCode() + ": " + refused.awsErrorDetails().errorMessage();
            throw ApiException.badRequest("S3 did not complete the upload (" + reason + ")");
        }
        LOG.info("Job {}: multipart upload of its source completed ({} parts)", job.jobId(), parts.size());
        return new ApiResponse(200, Map.of("job_id", job.jobId(), "status", job.status().wireName(), "uploaded", true));
    }

    /** The caller's job while it waits for its source, or has failed and may get a new one before a retry. */
    private Job awaitingUpload(String id, String subject) {
        Job job = jobApi.owned(id, subject);
        if (job.status() != JobStatus.CREATED && job.status() != JobStatus.FAILED) {
            throw new ApiException(409, "job " + job.jobId() + " is " + job.status().wireName()
                    + "; a source can only be uploaded while a job is created (or failed, before a retry)");
        }
        return job;
    }
}
