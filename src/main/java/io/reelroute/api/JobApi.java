package io.reelroute.api;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.reelroute.aws.AwsResources;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.Params;
import io.reelroute.contract.PreviewClipKey;
import io.reelroute.contract.StereoFormat;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.SourceKey;
import io.reelroute.contract.Tables;
import io.reelroute.jobs.PreviewClips;
import io.reelroute.jobs.Redrive;
import io.reelroute.jobs.SourceLimits;
import io.reelroute.pipelines.InvalidJobRequest;
import io.reelroute.pipelines.Pipelines;
import io.reelroute.store.JobStore;
import io.reelroute.store.SegmentCompletionStore;
import io.reelroute.webhooks.CallbackUrls;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * What the job API routes (routes/api.camel.yaml) call once the caller's subject is known. Each method answers
 * an {@link ApiResponse} or throws an {@link ApiException}. A job that is not the caller's (or has no owner, or
 * was deleted) is reported as not found, so ids of other callers' jobs reveal nothing.
 */
@Component("jobApi")
public class JobApi {

    private static final Logger LOG = LoggerFactory.getLogger(JobApi.class);
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";
    static final String IN_PROGRESS = "in_progress";
    /** The largest object S3 copies in one CopyObject request. */
    private static final long MAX_SINGLE_COPY_BYTES = 5L * 1024 * 1024 * 1024;

    private final JobStore jobs;
    private final SegmentCompletionStore completions;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final AwsCredentialsProvider signer;
    private final Redrive redrive;
    private final ResourceNames names;
    private final ReelRouteProperties.Api settings;
    private final ObjectMapper mapper;
    private final PageTokens tokens;
    private final Pipelines pipelines;
    private final PreviewClips previewClips;
    private final CallbackUrls callbackUrls;
    private final Clock clock;
    private final SourceLimits limits;
    private final UserQuotas quotas;

    @Autowired
    public JobApi(JobStore jobs, SegmentCompletionStore completions, S3Client s3, S3Presigner presigner,
            AwsCredentialsProvider signer, Redrive redrive, AwsResources resources, ReelRouteProperties properties,
            ObjectMapper mapper, Pipelines pipelines, PreviewClips previewClips, CallbackUrls callbackUrls,
            SourceLimits limits, UserQuotas quotas) {
        this.quotas = quotas;
        this.pipelines = pipelines;
        this.previewClips = previewClips;
        this.callbackUrls = callbackUrls;
        this.jobs = jobs;
        this.completions = completions;
        this.s3 = s3;
        this.presigner = presigner;
        this.signer = signer;
        this.redrive = redrive;
        this.names = resources.names();
        this.settings = properties.api();
        this.mapper = mapper;
        this.tokens = new PageTokens(settings.pageTokenKey(), mapper);
        this.clock = Clock.systemUTC();
        this.limits = limits;
    }

    /**
     * POST /jobs: the job record and a presigned PUT for its source. The body names the pipeline (the default if
     * none) and its params, which are checked against the pipeline's schema. {@code mode} as before pipelines and
     * formats, alone or in the stereo pipeline's params, is its {@code format} ({@code sbs} is {@code full-sbs}).
     * A {@code callback_url} gets the job's final state POSTed to it when the job ends (see CallbackUrls for what
     * is accepted). A {@code size} (the source's bytes) over {@code reelroute.limits.max-source-bytes} is refused
     * (413); with one, the PUT is signed with it as its {@code Content-Length}, so S3 takes no other length. A user
     * over a quota ({@link UserQuotas}) gets 429.
     */
    public ApiResponse create(String body, String subject) {
        JsonNode request = JsonBodies.object(body, mapper, "{\"pipeline\": \"stereo\", \"params\": {\"mode\": \"sbs\"}}");
        String pipeline = JsonBodies.optionalText(request, "pipeline");
        JsonNode params = request.get("params");
        String mode = JsonBodies.optionalText(request, "mode");
        if (mode != null) {
            if (pipeline != null && !pipeline.equals(JobStore.STEREO)) {
                throw ApiException.badRequest("mode belongs to the stereo pipeline; give the " + pipeline
                        + " pipeline's settings in params");
            }
            if (params != null && !params.isNull() && !(params instanceof ObjectNode)) {
                throw ApiException.badRequest("params must be a JSON object");
            }
            ObjectNode merged = params instanceof ObjectNode given ? given.deepCopy() : mapper.createObjectNode();
            if (merged.has("mode") && !merged.get("mode").asText().equals(mode)) {
                throw ApiException.badRequest("mode and params.mode differ; give one");
            }
            pipeline = JobStore.STEREO;
            params = merged.put("mode", mode);
        }
        String chosen = pipeline == null ? pipelines.defaultPipeline() : pipeline;
        Params resolved = resolve(chosen, params);
        String title = title(request);
        JsonNode hold = request.get("hold");
        if (hold != null && !hold.isBoolean()) {
            throw ApiException.badRequest("hold must be true or false");
        }
        String callbackUrl = JsonBodies.optionalText(request, "callback_url");
        if (callbackUrl != null) {
            try {
                callbackUrl = callbackUrls.check(callbackUrl);
            } catch (IllegalArgumentException refused) {
                throw ApiException.badRequest(refused.getMessage());
            }
        }
        Long size = JobUploads.declaredSize(request, limits);
        quotas.admitNewJob(subject);
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, chosen, resolved, subject, title, callbackUrl);
        if (hold != null && hold.asBoolean()) {
            jobs.hold(jobId);
        }
        PresignedPutObjectRequest upload = presigner.presignPutObject(p -> p.signatureDuration(settings.uploadUrlExpiry())
                .putObjectRequest(r -> r.bucket(names.inputBucket()).key(SourceKey.keyFor(jobId)).contentType("video/mp4")
                        .contentLength(size)));
        Map<String, String> headers = new LinkedHashMap<>();
        upload.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                headers.put(name.equalsIgnoreCase("content-type") ? "Content-Type"
                        : name.equalsIgnoreCase("content-length") ? "Content-Length" : name, String.join(",", values));
            }
        });
        Map<String, Object> uploadView = new LinkedHashMap<>();
        uploadView.put("method", "PUT");
        uploadView.put("url", upload.url().toString());
        uploadView.put("headers", headers);
        uploadView.put("expires_at", honouredUntil(upload.expiration()).toString());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", jobId);
        view.put("status", JobStatus.CREATED.wireName());
        view.put("upload", uploadView);
        LOG.info("Job {} created through the API (pipeline {}, params {})", jobId, chosen, resolved);
        return new ApiResponse(201, view);
    }

    /** GET /pipelines: every pipeline with its params schema, so forms and scripts can be built from them. */
    public ApiResponse pipelines() {
        List<Object> list = new ArrayList<>();
        pipelines.all().forEach(pipeline -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", pipeline.name());
            view.put("title", pipeline.title());
            view.put("description", pipeline.description());
            view.put("params_schema", pipeline.schema());
            list.add(view);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("default", pipelines.defaultPipeline());
        body.put("pipelines", list);
        return new ApiResponse(200, body);
    }

    /** Segments a job's timeline shows per answer; {@code segments_from} pages through the rest. */
    static final int TIMELINE_SEGMENTS = 500;

    /**
     * GET /jobs/{id}?segments_from=N: the job with its timeline, whose segments start at index N (0) and hold at
     * most {@value #TIMELINE_SEGMENTS}; {@code timeline.segments_next} is where the next page starts (null after the last).
     */
    public ApiResponse get(String id, String segmentsFrom, String subject) {
        int from = 0;
        if (segmentsFrom != null && !segmentsFrom.isBlank()) {
            try {
                from = Integer.parseInt(segmentsFrom.strip());
            } catch (NumberFormatException notNumber) {
                from = -1;
            }
            if (from < 0) {
                throw ApiException.badRequest("segments_from must be a whole number from 0");
            }
        }
        Job job = owned(id, subject);
        Map<String, Object> view = view(job);
        view.put("timeline", timeline(job, from));
        return new ApiResponse(200, view);
    }

    /** Where the job's time went (docs/api.md, "Timeline"): its hops from the record, a page of segments from their completions. */
    private Map<String, Object> timeline(Job job, int from) {
        List<Object> hops = new ArrayList<>();
        job.hops().forEach(hop -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("hop", hop.hop().wireName());
            item.put("started_at", text(hop.startedAt()));
            item.put("finished_at", text(hop.finishedAt()));
            item.put("queue_wait_ms", hop.queueWaitMs());
            hops.add(item);
        });
        List<Object> segments = new ArrayList<>();
        Integer next = null;
        if (job.totalSegments() != null || job.completedSegments() > 0) {
            var page = completions.segmentTimes(job.jobId(), from, TIMELINE_SEGMENTS);
            page.items().forEach(segment -> {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("index", segment.index());
                item.put("started_at", text(segment.startedAt()));
                item.put("finished_at", text(segment.finishedAt()));
                item.put("queue_wait_ms", segment.queueWaitMs());
                item.put("attempts", segment.attempts());
                segments.add(item);
            });
            next = page.next();
        }
        Map<String, Object> timeline = new LinkedHashMap<>();
        timeline.put("hops", hops);
        timeline.put("segments", segments);
        timeline.put("segments_next", next);
        return timeline;
    }

    /** GET /jobs?status=completed|in_progress|failed&limit=N&next_token=... */
    public ApiResponse list(String status, String limit, String nextToken, String subject) {
        if (!COMPLETED.equals(status) && !IN_PROGRESS.equals(status) && !FAILED.equals(status)) {
            throw ApiException.badRequest("status must be completed, in_progress or failed");
        }
        int pageSize = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                pageSize = Integer.parseInt(limit.strip());
            } catch (NumberFormatException notNumber) {
                pageSize = -1;
            }
            if (pageSize < 1 || pageSize > MAX_LIMIT) {
                throw ApiException.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT);
            }
        }
        Map<String, AttributeValue> start = nextToken == null || nextToken.isEmpty() ? null
                : tokens.open(nextToken, status, subject);
        if (start != null && IN_PROGRESS.equals(status) && !start.containsKey(Tables.UNFINISHED_OWNER)) {
            // A token of the in-progress listing as it was before its index (a Scan's key).
            throw ApiException.badRequest("next_token is from an earlier version of this listing; list again from the start");
        }
        JobStore.Page page = IN_PROGRESS.equals(status) ? jobs.unfinishedOf(subject, pageSize, start)
                : jobs.endedOf(subject, JobStatus.fromWireName(status), pageSize, start);
        List<Object> views = new ArrayList<>();
        page.jobs().forEach(job -> views.add(view(job)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobs", views);
        body.put("next_token", page.lastKey() == null ? null : tokens.issue(status, subject, page.lastKey()));
        return new ApiResponse(200, body);
    }

    /**
     * DELETE /jobs/{id}: marks the job deleted with its purge pending; the route then removes its objects in the
     * background (JobPurge), and the watchdog does it again if that purge does not finish. Deleting a deleted job
     * again answers 202 too and repeats the clean-up.
     */
    public ApiResponse delete(String id, String subject) {
        Job job = find(id, subject, true);
        jobs.markDeleted(job.jobId());
        LOG.info("Job {} deleted through the API", job.jobId());
        return new ApiResponse(202, Map.of("job_id", job.jobId(), "status", "deleted"));
    }

    /**
     * POST /jobs/{id}/retry: a failed job is put back before the phase that failed
     * ({@link JobStore#resetFailed}) and that phase is driven again through its queue.
     */
    public ApiResponse retry(String id, String subject) {
        Job job = owned(id, subject);
        if (job.status() != JobStatus.FAILED) {
            throw new ApiException(409, "job " + job.jobId() + " is " + job.status().wireName() + "; only a failed job can be retried");
        }
        boolean chunked = job.totalSegments() != null;
        FailurePhase phase = job.failurePhase() == null ? FailurePhase.STALLED : job.failurePhase();
        boolean fromChunking = switch (phase) {
            case UPLOAD, PROBE, CHUNKING, TRANSCODE -> true;
            case INFERENCE, REASSEMBLY -> false;
            case STALLED -> !chunked;
            case PACKAGING -> throw new ApiException(409, "job " + job.jobId()
                    + " failed in packaging; its final video is complete, packaging is not retried here");
        };
        if (!fromChunking && !chunked) {
            fromChunking = true;
        }
        if (fromChunking && !sourceExists(job.jobId())) {
            throw new ApiException(409, "job " + job.jobId() + " has no uploaded source to process again");
        }
        if (!jobs.resetFailed(job.jobId(), fromChunking ? JobStatus.CREATED : JobStatus.CHUNKING_COMPLETE)) {
            throw new ApiException(409, "job " + job.jobId() + " is no longer failed");
        }
        // The job will end again: that end is a delivery of its own.
        jobs.resetWebhook(job.jobId());
        String redriven;
        if (fromChunking) {
            redrive.uploadEvent(SourceKey.keyFor(job.jobId()));
            redriven = "chunking";
        } else {
            List<String> missing = missingSegments(job);
            if (!missing.isEmpty()) {
                missing.forEach(redrive::segmentEvent);
                redriven = "inference";
            } else {
                // The trigger record may hold a confirmed claim: the reassembly hop takes the message directly.
                redrive.reassembly(job.jobId());
                redriven = "reassembly";
            }
        }
        LOG.info("Job {}: retried after failing in {}; {} driven again", job.jobId(), phase.wireName(), redriven);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_id", job.jobId());
        body.put("status", (fromChunking ? JobStatus.CREATED : JobStatus.CHUNKING_COMPLETE).wireName());
        body.put("retried_phase", redriven);
        return new ApiResponse(202, body);
    }

    /** The caller's job, or 400 for a malformed id and 404 if it is not the caller's (or deleted). */
    Job owned(String id, String subject) {
        return find(id, subject, false);
    }

    /** The caller's job (deleted ones only if asked for), or 400 for a malformed id and 404 otherwise. */
    private Job find(String id, String subject, boolean deletedToo) {
        if (!JobIds.isValid(id)) {
            throw ApiException.badRequest("job id must be a lowercase UUID (8-4-4-4-12 hex digits)");
        }
        Job job = jobs.find(id).orElseThrow(() -> ApiException.notFound(id));
        if (job.owner() == null || !job.owner().equals(subject) || (job.deletedAt() != null && !deletedToo)) {
            throw ApiException.notFound(id);
        }
        return job;
    }

    /** When S3 stops honouring a URL the presigner just signed, expiring at {@code urlExpiry}. */
    Instant honouredUntil(Instant urlExpiry) {
        return honouredUntil(urlExpiry, signer.resolveCredentials());
    }

    /**
     * A presigned URL stops working at its own expiry, or earlier, when the credentials that signed it expire:
     * session credentials (IRSA's web identity, Pod Identity, an assumed role) last about an hour. expires_at says
     * the earlier, so a client knows when to ask for fresh URLs.
     */
    static Instant honouredUntil(Instant urlExpiry, AwsCredentialsIdentity credentials) {
        return credentials.expirationTime().filter(end -> end.isBefore(urlExpiry)).orElse(urlExpiry);
    }

    /**
     * POST /jobs/{id}/rerender: a new job of the same pipeline from the job's source, with the job's params changed
     * by those given ({@code {"params": {...}, "title": optional}}); the source object is copied within the input
     * bucket, not uploaded again, and the copy starts the new job as an upload would. The new job names the old one
     * ({@code rerender_of}).
     */
    public ApiResponse rerender(String id, String body, String subject) {
        Job job = owned(id, subject);
        JsonNode request = body == null || body.isBlank() ? mapper.createObjectNode()
                : JsonBodies.object(body, mapper, "{\"params\": {\"format\": \"half-sbs\"}}");
        Params resolved = changed(job, request.get("params"));
        String title = title(request);
        String sourceKey = SourceKey.keyFor(job.jobId());
        long size;
        try {
            size = s3.headObject(r -> r.bucket(names.inputBucket()).key(sourceKey)).contentLength();
        } catch (NoSuchKeyException absent) {
            throw new ApiException(409, "job " + job.jobId() + " has no uploaded source to render again");
        }
        if (size > MAX_SINGLE_COPY_BYTES) {
            throw new ApiException(409, "the source of job " + job.jobId() + " is larger than 5 GiB, which S3 copies in one"
                    + " request at most; create a job and upload it again");
        }
        quotas.admitNewJob(subject);
        String jobId = JobIds.newId();
        // The new job reports to the old one's webhook, if it has one.
        jobs.createIfAbsent(jobId, job.pipeline(), resolved, subject, title != null ? title : job.title(),
                job.webhook() == null ? null : job.webhook().url(), job.jobId());
        s3.copyObject(r -> r.sourceBucket(names.inputBucket()).sourceKey(sourceKey)
                .destinationBucket(names.inputBucket()).destinationKey(SourceKey.keyFor(jobId)));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", jobId);
        view.put("status", JobStatus.CREATED.wireName());
        view.put("rerender_of", job.jobId());
        view.put("params", resolved.json());
        LOG.info("Job {} renders the source of job {} again (params {})", jobId, job.jobId(), resolved);
        return new ApiResponse(201, view);
    }

    /**
     * POST /jobs/{id}/preview: a held job's source, uploaded, is cut into {@code samples} clips of {@code seconds}
     * spread over it (defaults 3 and 3), and each goes through the model with the job's params changed by those
     * given; GET /jobs/{id} shows them as they are ready. Clips are never the job's output; a new preview replaces
     * the last.
     */
    public ApiResponse preview(String id, String body, String subject) {
        Job job = owned(id, subject);
        if (!job.held() || job.status() != JobStatus.CREATED) {
            throw new ApiException(409, "job " + job.jobId() + " is not held for a preview (create it with \"hold\": true)");
        }
        if (job.params().mode() == null) {
            throw new ApiException(409, "the " + job.pipeline() + " pipeline has no model to preview; start the job");
        }
        JsonNode request = body == null || body.isBlank() ? mapper.createObjectNode()
                : JsonBodies.object(body, mapper, "{\"params\": {\"format\": \"half-sbs\"}, \"samples\": 3, \"seconds\": 3}");
        Params params = changed(job, request.get("params"));
        int samples = bounded(request, "samples", 3, 1, PreviewClipKey.MAX_CLIPS);
        int seconds = bounded(request, "seconds", 3, 1, 10);
        if (!sourceExists(job.jobId())) {
            throw new ApiException(409, "job " + job.jobId() + " has no uploaded source to preview yet");
        }
        String previewId = String.format("%08x", new SecureRandom().nextInt());
        if (!jobs.requestPreview(job.jobId(), previewId, params, samples)) {
            throw new ApiException(409, "job " + job.jobId() + " is no longer held");
        }
        try {
            previewClips.cut(job.jobId(), previewId, samples, seconds);
        } catch (PreviewClips.Unreadable unreadable) {
            jobs.previewFailed(job.jobId(), previewId, unreadable.getMessage());
            throw new ApiException(422, unreadable.getMessage());
        } catch (IOException e) {
            jobs.previewFailed(job.jobId(), previewId, e.toString());
            throw new IllegalStateException("could not cut the preview clips of job " + job.jobId(), e);
        }
        return new ApiResponse(202, view(jobs.find(job.jobId()).orElseThrow()));
    }

    /**
     * POST /jobs/{id}/start: a held job runs, with its params changed by those given (the ones a preview showed,
     * say); its uploaded source starts it as an upload would.
     */
    public ApiResponse start(String id, String body, String subject) {
        Job job = owned(id, subject);
        if (!job.held() || job.status() != JobStatus.CREATED) {
            throw new ApiException(409, "job " + job.jobId() + " is not held; it starts when its source is uploaded");
        }
        JsonNode request = body == null || body.isBlank() ? mapper.createObjectNode()
                : JsonBodies.object(body, mapper, "{\"params\": {\"format\": \"half-sbs\"}}");
        Params params = changed(job, request.get("params"));
        if (!sourceExists(job.jobId())) {
            throw new ApiException(409, "job " + job.jobId() + " has no uploaded source yet; upload it, then start");
        }
        if (!jobs.release(job.jobId(), params)) {
            throw new ApiException(409, "job " + job.jobId() + " is no longer held");
        }
        redrive.uploadEvent(SourceKey.keyFor(job.jobId()));
        LOG.info("Job {} released (params {})", job.jobId(), params);
        return new ApiResponse(202, view(jobs.find(job.jobId()).orElseThrow()));
    }

    /** The job's params changed by {@code given} (an object, or null for none), checked by its pipeline's schema. */
    private Params changed(Job job, JsonNode given) {
        if (given != null && !given.isNull() && !(given instanceof ObjectNode)) {
            throw ApiException.badRequest("params must be a JSON object");
        }
        ObjectNode params = job.params().json();
        if (given instanceof ObjectNode changes) {
            // A format replaces an old job's mode, and a mode the job's format.
            if (changes.has("format")) {
                params.remove("mode");
            } else if (changes.has("mode")) {
                params.remove("format");
            }
            params.setAll(changes);
        }
        return resolve(job.pipeline(), params);
    }

    private static int bounded(JsonNode request, String name, int fallback, int min, int max) {
        JsonNode value = request.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isInt() || value.asInt() < min || value.asInt() > max) {
            throw ApiException.badRequest(name + " must be a whole number from " + min + " to " + max);
        }
        return value.asInt();
    }

    /** The pipeline's params from those a request gives: an old stereo {@code mode} made a format, then checked. */
    private Params resolve(String pipeline, JsonNode params) {
        JsonNode normalised = JobStore.STEREO.equals(pipeline) && params instanceof ObjectNode given && given.has("mode")
                ? formatOfMode(given.deepCopy()) : params;
        Params resolved;
        try {
            resolved = pipelines.resolve(pipeline, normalised);
        } catch (InvalidJobRequest invalid) {
            throw ApiException.badRequest(invalid.getMessage());
        }
        Number overlap = resolved.number("overlap_seconds");
        Number segment = resolved.number("segment_seconds");
        if (overlap != null && segment != null && overlap.doubleValue() * 2 > segment.doubleValue()) {
            throw ApiException.badRequest("params.overlap_seconds: must be at most half of segment_seconds (" + segment + ")");
        }
        return resolved;
    }

    private String title(JsonNode request) {
        String title = JsonBodies.optionalText(request, "title");
        if (title != null && title.length() > settings.maxTitleLength()) {
            throw ApiException.badRequest("title is longer than " + settings.maxTitleLength() + " characters");
        }
        return title;
    }

    /** The stereo params with an old {@code mode} turned into the {@code format} it asks for. */
    private static ObjectNode formatOfMode(ObjectNode params) {
        String mode = params.remove("mode").asText();
        String format;
        try {
            format = StereoFormat.ofMode(Mode.fromId(mode)).id();
        } catch (IllegalArgumentException unknown) {
            throw ApiException.badRequest("params.mode: " + unknown.getMessage() + " (or give params.format)");
        }
        if (params.has("format") && !params.get("format").asText().equals(format)) {
            throw ApiException.badRequest("mode " + mode + " and format " + params.get("format").asText() + " differ; give format");
        }
        return params.put("format", format);
    }

    /** A job as the API shows it (GET /jobs/{id}, listings, event streams and completion webhooks' bodies). */
    public Map<String, Object> view(Job job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", job.jobId());
        view.put("status", job.status().wireName());
        view.put("pipeline", job.pipeline());
        view.put("params", job.params().json());
        view.put("mode", job.mode() == null ? null : job.mode().id());
        view.put("format", job.params().text("format"));
        view.put("rerender_of", job.rerenderOf());
        if (job.held()) {
            view.put("held", true);
        }
        if (job.preview() != null) {
            Job.Preview preview = job.preview();
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("status", preview.error() != null ? "failed" : preview.ready() ? "ready" : "running");
            shown.put("params", preview.params().json());
            shown.put("samples", preview.count());
            List<Object> clips = new ArrayList<>();
            preview.clips().forEach((index, key) -> clips.add(Map.of("index", index, "url", presignedGet(key))));
            shown.put("clips", clips);
            shown.put("error", preview.error());
            view.put("preview", shown);
        }
        view.put("title", job.title());
        view.put("created_at", text(job.createdAt()));
        view.put("updated_at", text(job.updatedAt()));
        view.put("completed_at", text(job.completedAt()));
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("segments_completed", job.completedSegments());
        progress.put("segments_total", job.totalSegments());
        progress.put("hls_percent", job.hls() == null ? null : job.hls().percent());
        view.put("progress", progress);
        view.put("hls_status", job.hls() == null ? null : job.hls().status().wireName());
        view.put("eta_seconds", etaSeconds(job));
        if (job.status() == JobStatus.FAILED) {
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("phase", job.failurePhase() == null ? null : job.failurePhase().wireName());
            failure.put("reason", job.failureReason());
            if (job.failureDetail() != null) {
                failure.put("detail", job.failureDetail());
            }
            view.put("failure", failure);
        }
        if (job.status() == JobStatus.COMPLETED) {
            String fileName = DownloadNames.finalVideo(job);
            view.put("final_url", presignedGet(OutputKeys.finalVideo(job.jobId()), DownloadNames.contentDisposition(fileName)));
            view.put("final_file_name", fileName);
            view.put("hls_master_key", job.hls() == null ? null : job.hls().masterKey());
            if (!job.renditions().isEmpty()) {
                List<Object> renditions = new ArrayList<>();
                job.renditions().forEach(rendition -> {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("width", rendition.width());
                    item.put("height", rendition.height());
                    item.put("bitrate", rendition.bitrate());
                    item.put("url", presignedGet(rendition.key()));
                    renditions.add(item);
                });
                view.put("renditions", renditions);
            }
            if (job.posterKey() != null) {
                view.put("poster_url", presignedGet(job.posterKey()));
            }
        }
        if (job.webhook() != null) {
            Job.Webhook webhook = job.webhook();
            Map<String, Object> delivery = new LinkedHashMap<>();
            delivery.put("url", webhook.url());
            delivery.put("status", webhook.status().wireName());
            delivery.put("delivery_id", webhook.deliveryId());
            delivery.put("attempts", webhook.attempts());
            delivery.put("last_status_code", webhook.lastStatusCode());
            delivery.put("last_error", webhook.lastError());
            delivery.put("delivered_at", text(webhook.deliveredAt()));
            view.put("webhook", delivery);
        }
        return view;
    }

    /** A download URL of an object of the output bucket. */
    private String presignedGet(String key) {
        return presignedGet(key, null);
    }

    /** A download URL that has the browser save the object under the name {@code contentDisposition} gives. */
    private String presignedGet(String key, String contentDisposition) {
        return presigner.presignGetObject(p -> p.signatureDuration(settings.downloadUrlExpiry())
                .getObjectRequest(r -> r.bucket(names.outputBucket()).key(key).responseContentDisposition(contentDisposition)))
                .url().toString();
    }

    /**
     * Seconds until the segments are done, estimated linearly from the segments done since chunking completed;
     * null before there is any (or once the job has ended), 0 once every segment is done.
     */
    Long etaSeconds(Job job) {
        if (job.status() == JobStatus.COMPLETED) {
            return 0L;
        }
        if (job.status().isTerminal() || job.totalSegments() == null || job.chunkedAt() == null
                || job.completedSegments() == 0) {
            return null;
        }
        int left = job.totalSegments() - job.completedSegments();
        if (left <= 0) {
            return 0L;
        }
        long elapsedMillis = Math.max(1000, Duration.between(job.chunkedAt(), clock.instant()).toMillis());
        return Math.round(elapsedMillis / 1000.0 / job.completedSegments() * left);
    }

    private List<String> missingSegments(Job job) {
        SortedSet<Integer> done = completions.completedIndices(job.jobId());
        List<String> missing = new ArrayList<>();
        for (int index = 0; index < job.totalSegments(); index++) {
            if (!done.contains(index)) {
                missing.add(new SegmentKey(job.jobId(), index, job.mode()).key());
            }
        }
        return missing;
    }

    private boolean sourceExists(String jobId) {
        try {
            s3.headObject(r -> r.bucket(names.inputBucket()).key(SourceKey.keyFor(jobId)));
            return true;
        } catch (NoSuchKeyException absent) {
            return false;
        }
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
