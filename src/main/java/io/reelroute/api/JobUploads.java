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
import io.reelroute.jobs.SourceLimits;
import io.reelroute.media.UnprocessableSourceException;
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
    /** S3's limits: parts are numbered 1 to 10,000, all but the last hold at least 5 MiB, and none over 5 GiB. */
    static final int MAX_PARTS = 10_000;
    static final long MIN_PART_BYTES = 5L * 1024 * 1024;
    static final long MAX_PART_BYTES = 5L * 1024 * 1024 * 1024;
    /** Part URLs one upload-parts answer holds at most; the client asks for the next ones with first_part. */
    static final int URLS_PER_CALL = 100;

    private final JobApi jobApi;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final ReelRouteProperties.Api settings;
    private final ObjectMapper mapper;
    private final SourceLimits limits;

    public JobUploads(JobApi jobApi, S3Client s3, S3Presigner presigner, AwsResources resources,
            ReelRouteProperties properties, ObjectMapper mapper, SourceLimits limits) {
        this.jobApi = jobApi;
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = resources.names().inputBucket();
        this.settings = properties.api();
        this.mapper = mapper;
        this.limits = limits;
    }

    /**
     * The source size a request declares ({@code "size"}, in bytes), or null when it declares none.
     *
     * @throws ApiException 400 when it is not a whole number of bytes, 413 when it is over
     *         {@code reelroute.limits.max-source-bytes} (the error says the limit)
     */
    static Long declaredSize(JsonNode request, SourceLimits limits) {
        JsonNode size = request.get("size");
        if (size == null || size.isNull()) {
            return null;
        }
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 1) {
            throw ApiException.badRequest("size must be the source's size in bytes, a whole number of at least 1");
        }
        try {
            limits.checkSize(size.asLong());
        } catch (UnprocessableSourceException tooLarge) {
            throw new ApiException(413, tooLarge.reason());
        }
        return size.asLong();
    }

    /**
     * The most parts a source of {@code bytes} can be uploaded in: every part but the last holds at least
     * {@link #MIN_PART_BYTES}, and S3 numbers parts up to {@link #MAX_PARTS}.
     */
    static int maxParts(long bytes) {
        long parts = Math.max(1, bytes / MIN_PART_BYTES + (bytes % MIN_PART_BYTES == 0 ? 0 : 1));
        return (int) Math.min(MAX_PARTS, parts);
    }

    /**
     * The fewest parts a source of {@code bytes} can be uploaded in: no part holds more than {@link #MAX_PART_BYTES}.
     */
    static int minParts(long bytes) {
        return (int) Math.max(1, bytes / MAX_PART_BYTES + (bytes % MAX_PART_BYTES == 0 ? 0 : 1));
    }

    /**
     * POST /jobs/{id}/upload-parts {"parts": N, "upload_id": optional, "size": optional, "first_part": optional}:
     * starts a multipart upload (or continues the given one, e.g. for URLs that expired) and presigns parts
     * {@code first_part} (1 if absent) to N, {@value #URLS_PER_CALL} at most: {@code next_first_part} is where the
     * next call for the same upload starts, null once the URLs reach N. A {@code size} (the source's bytes) over
     * {@code reelroute.limits.max-source-bytes} is refused (413). N is at most what a source of that size, or of
     * the largest size allowed, can be cut into (parts but the last hold 5 MiB or more), and with a size at least
     * what keeps each part within 5 GiB.
     */
    public ApiResponse parts(String id, String body, String subject) {
        Job job = awaitingUpload(id, subject);
        JsonNode request = JsonBodies.object(body, mapper, "{\"parts\": 3}");
        Long size = declaredSize(request, limits);
        int maxParts = maxParts(size != null ? size : limits.maxSourceBytes());
        int minParts = size != null ? minParts(size) : 1;
        JsonNode partsNode = request.get("parts");
        if (partsNode == null || !partsNode.canConvertToInt() || !partsNode.isIntegralNumber()
                || partsNode.asInt() < minParts || partsNode.asInt() > maxParts) {
            throw ApiException.badRequest("parts must be a whole number from " + minParts + " to " + maxParts
                    + (size != null ? " for a source of " + size + " bytes" : "") + " (all parts but the last hold at"
                    + " least " + MIN_PART_BYTES + " bytes, and none more than " + MAX_PART_BYTES + ")");
        }
        int parts = partsNode.asInt();
        String uploadId = JsonBodies.optionalText(request, "upload_id");
        JsonNode firstNode = request.get("first_part");
        int first = 1;
        if (firstNode != null && !firstNode.isNull()) {
            if (!firstNode.isIntegralNumber() || !firstNode.canConvertToInt() || firstNode.asInt() < 1
                    || firstNode.asInt() > parts) {
                throw ApiException.badRequest("first_part must be a whole number from 1 to parts (" + parts + ")");
            }
            first = firstNode.asInt();
        }
        if (first > 1 && uploadId == null) {
            throw ApiException.badRequest("first_part continues an upload: give its upload_id too");
        }
        int last = Math.min(parts, first + URLS_PER_CALL - 1);
        String key = SourceKey.keyFor(job.jobId());
        if (uploadId == null) {
            uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType("video/mp4")).uploadId();
            LOG.info("Job {}: multipart upload of its source started ({} parts)", job.jobId(), parts);
        }
        String upload = uploadId;
        List<Map<String, Object>> urls = new ArrayList<>();
        Instant expiresAt = null;
        for (int part = first; part <= last; part++) {
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
        view.put("next_first_part", last < parts ? last + 1 : null);
        view.put("expires_at", expiresAt.toString());
        return new ApiResponse(201, view);
    }

    /**
     * POST /jobs/{id}/complete-upload {"upload_id": ..., "parts": [{"part_number": 1, "etag": "..."}, ...]}:
     * S3 joins the parts into the source, which starts the job. Without {@code parts}, the parts S3 holds of the
     * upload are joined (a list of many parts is larger than reelroute.api.max-body-bytes). S3's refusals (a
     * missing or too small part, an unknown upload) are the caller's to fix and come back as 400 with S3's message.
     */
    public ApiResponse complete(String id, String body, String subject) {
        Job job = awaitingUpload(id, subject);
        JsonNode request = JsonBodies.object(body, mapper, "{\"upload_id\": \"...\", \"parts\": [{\"part_number\": 1, \"etag\": \"...\"}]}");
        String uploadId = JsonBodies.optionalText(request, "upload_id");
        if (uploadId == null) {
            throw ApiException.badRequest("upload_id is required: the one POST /jobs/{id}/upload-parts returned");
        }
        String key = SourceKey.keyFor(job.jobId());
        JsonNode partsNode = request.get("parts");
        List<CompletedPart> parts = partsNode == null || partsNode.isNull() ? uploaded(key, uploadId) : listed(partsNode);
        try {
            s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (S3Exception refused) {
            throw refusal(refused, "complete");
        }
        LOG.info("Job {}: multipart upload of its source completed ({} parts)", job.jobId(), parts.size());
        return new ApiResponse(200, Map.of("job_id", job.jobId(), "status", job.status().wireName(), "uploaded", true));
    }

    /**
     * The parts S3 holds of the upload, as ListParts gives them (in order, with their ETags): what a complete-upload
     * without a list completes with. A list of thousands of parts would not fit in a request body.
     */
    private List<CompletedPart> uploaded(String key, String uploadId) {
        List<CompletedPart> parts = new ArrayList<>();
        try {
            s3.listPartsPaginator(r -> r.bucket(bucket).key(key).uploadId(uploadId)).parts().forEach(part ->
                    parts.add(CompletedPart.builder().partNumber(part.partNumber()).eTag(part.eTag()).build()));
        } catch (S3Exception refused) {
            throw refusal(refused, "list the parts of");
        }
        if (parts.isEmpty()) {
            throw ApiException.badRequest("upload " + uploadId + " has no uploaded parts yet");
        }
        return parts;
    }

    /** S3's refusals (4xx) are the caller's to fix: 400 with S3's reason. */
    private static RuntimeException refusal(S3Exception refused, String what) {
        if (refused.statusCode() >= 500) {
            return refused;
        }
        String reason = refused.awsErrorDetails() == null ? refused.getMessage()
                : refused.awsErrorDetails().errorCode() + ": " + refused.awsErrorDetails().errorMessage();
        return ApiException.badRequest("S3 did not " + what + " the upload (" + reason + ")");
    }

    /** The parts a complete-upload lists, checked. */
    private List<CompletedPart> listed(JsonNode partsNode) {
        if (!partsNode.isArray() || partsNode.isEmpty()) {
            throw ApiException.badRequest("parts must list each uploaded part as {\"part_number\", \"etag\"}"
                    + " (or be left out, for the parts S3 holds)");
        }
        int maxParts = maxParts(limits.maxSourceBytes());
        if (partsNode.size() > maxParts) {
            throw ApiException.badRequest("parts must list at most " + maxParts + " parts: the most a source within "
                    + "reelroute.limits.max-source-bytes can be cut into");
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
        return parts;
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
