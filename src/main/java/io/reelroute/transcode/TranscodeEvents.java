package io.reelroute.transcode;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.HopRun;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.InboundMessage;
import io.reelroute.contract.InboundMessage.EventBridgeEvent;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.store.JobStore;

/**
 * The transcode-events queue's messages, both EventBridge envelopes. A "MediaConvert Job State Change" event
 * (from MediaConvert through EventBridge, or from the local packager in the same shape) is applied to the job
 * named in its {@code userMetadata.job_id} only if its MediaConvert job ({@code detail.jobId}) is the one recorded on
 * that job when it was submitted: anyone who may create MediaConvert jobs in the account can name any job in
 * userMetadata, and such an event, like one of an earlier submission, changes nothing. The job's {@code hls_status}
 * moves forward only, so a repeated or late event changes nothing either. A "ReelRoute Packaging Requested" event
 * is the hand-off after reassembly: it asks the process that runs transcode-submit to package the job in its
 * {@code detail.job_id}. Both are built here too (the
 * request, and the local packager's COMPLETE and ERROR events), beside the code that reads them.
 */
@Component("transcodeEvents")
public class TranscodeEvents {

    public static final String SOURCE = "aws.mediaconvert";
    public static final String DETAIL_TYPE = "MediaConvert Job State Change";
    public static final String REQUEST_SOURCE = "io.reelroute";
    public static final String PACKAGING_REQUESTED = "ReelRoute Packaging Requested";

    /**
     * What an event did; {@code reason} says why for the log and the counters. A MediaConvert job that made the
     * job's own outputs from its source (a pipeline's MediaConvert job, see
     * {@link MediaConvertSubmitter#submitForSource}) also brings them: {@code mp4Outputs}, the MP4 files of a
     * COMPLETE event, for the job's completion; {@code jobFailure}, when such a job failed, for failing the job. Both are there however often the event comes (the steps they lead to are
     * idempotent), so a redelivered event finishes what a stopped process began.
     */
    public record Applied(Outcome outcome, String jobId, String reason, List<Mp4Output> mp4Outputs,
            PermanentJobFailure jobFailure) {

        Applied(Outcome outcome, String jobId, String reason) {
            this(outcome, jobId, reason, List.of(), null);
        }
    }

    /** An MP4 file a MediaConvert job wrote: its output-bucket key, its frame and duration as MediaConvert measured them. */
    public record Mp4Output(String key, int width, int height, long durationMillis) {
    }

    public enum Outcome {
        READY, FAILED, PROGRESS,
        /** A duplicate, or an event older than what the job already knows. */
        STALE,
        /** Not about one of ReelRoute's jobs (no job_id in userMetadata), or not a MediaConvert job event. */
        NOT_OURS,
        /** A status that does not change the package (INPUT_INFORMATION, NEW_WARNING, QUEUE_HOP). */
        IGNORED,
        /**
         * The event's MediaConvert job is not the one recorded on the job (or none is): forged, or of another
         * submission. Dropped, never applied.
         */
        OTHER_MEDIACONVERT_JOB
    }

    /** The errorCode of the local packager's ERROR events. */
    public static final String LOCAL_PACKAGER = "LOCAL_PACKAGER";

    /** The prefix of the local packager's job ids, in its events' {@code detail.jobId} and on the job. */
    private static final String LOCAL_JOB_PREFIX = "local-";

    private final JobStore jobs;
    private final ObjectMapper mapper;
    private final String region;

    @Autowired
    public TranscodeEvents(JobStore jobs, ObjectMapper mapper, ReelRouteProperties properties) {
        this(jobs, mapper, properties.aws().region());
    }

    TranscodeEvents(JobStore jobs, ObjectMapper mapper, String region) {
        this.jobs = jobs;
        this.mapper = mapper;
        this.region = region;
    }

    /** The hand-off after reassembly: the message that asks for the job's HLS packaging. */
    public String packagingRequest(String jobId) throws JsonProcessingException {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("source", REQUEST_SOURCE);
        event.put("detail-type", PACKAGING_REQUESTED);
        event.put("time", Instant.now().toString());
        event.put("detail", Map.of("job_id", jobId));
        return mapper.writeValueAsString(event);
    }

    /**
     * The local packager's COMPLETE event for a job whose HLS package is in place, naming its master playlist
     * ({@code s3://} URI) as MediaConvert's {@code outputGroupDetails} do.
     */
    public String packagedLocally(String jobId, String masterPlaylist) throws JsonProcessingException {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status", "COMPLETE");
        status.put("outputGroupDetails", List.of(Map.of("type", "HLS_GROUP", "playlistFilePaths", List.of(masterPlaylist))));
        return jobStateChange(jobId, status);
    }

    /** The local packager's ERROR event: the failure's message as MediaConvert's {@code errorMessage}. */
    public String localPackagingFailed(String jobId, Throwable failure) throws JsonProcessingException {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status", "ERROR");
        status.put("errorCode", LOCAL_PACKAGER);
        status.put("errorMessage", failure == null || failure.getMessage() == null ? "the local packager failed" : failure.getMessage());
        return jobStateChange(jobId, status);
    }

    /** An EventBridge envelope as the rule delivers it, with the detail MediaConvert would send. */
    private String jobStateChange(String jobId, Map<String, Object> status) throws JsonProcessingException {
        JobIds.requireValid(jobId);
        Instant now = Instant.now();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("timestamp", now.toEpochMilli());
        detail.put("jobId", LOCAL_JOB_PREFIX + jobId);
        detail.put("queue", "local");
        detail.put("userMetadata", Map.of("job_id", jobId));
        detail.putAll(status);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", DETAIL_TYPE);
        event.put("source", SOURCE);
        event.put("account", "000000000000");
        event.put("time", now.toString());
        event.put("region", region);
        event.put("resources", List.of());
        event.put("detail", detail);
        return mapper.writeValueAsString(event);
    }

    /**
     * Records the local packager's job on the job, as a MediaConvert submission records MediaConvert's, so that its
     * events are applied, with when the packaging hop's run ({@code run}, null for none) started; called before they
     * are sent.
     */
    public void recordLocalPackaging(String jobId, HopRun run) {
        jobs.recordPackagerJob(JobIds.requireValid(jobId), LOCAL_JOB_PREFIX + jobId, run);
    }

    /** The job a packaging request names; null for any other message (or a request without a valid job id). */
    public String packagingRequested(InboundMessage inbound) {
        if (inbound instanceof EventBridgeEvent event && REQUEST_SOURCE.equals(event.source())
                && PACKAGING_REQUESTED.equals(event.detailType())) {
            return jobIdOf(event);
        }
        return null;
    }

    /**
     * The ReelRoute job a message of this queue is about: a packaging request's {@code detail.job_id}, a MediaConvert
     * event's {@code userMetadata.job_id}; null if none.
     */
    public static String jobIdOf(EventBridgeEvent event) {
        JsonNode owner = PACKAGING_REQUESTED.equals(event.detailType()) ? event.detail() : event.detail().path("userMetadata");
        String jobId = owner.path("job_id").asText("");
        return JobIds.isValid(jobId) ? jobId : null;
    }

    public Applied apply(EventBridgeEvent event) {
        if (!SOURCE.equals(event.source()) || !DETAIL_TYPE.equals(event.detailType())) {
            return new Applied(Outcome.NOT_OURS, null, "not a MediaConvert job event: " + event.source() + " / " + event.detailType());
        }
        JsonNode detail = event.detail();
        String jobId = jobIdOf(event);
        if (jobId == null) {
            return new Applied(Outcome.NOT_OURS, null, "MediaConvert job " + detail.path("jobId").asText("?")
                    + " has no ReelRoute job_id in its userMetadata");
        }
        String mediaConvertJobId = detail.path("jobId").asText("");
        Optional<String> recorded = jobs.packagerJobId(jobId);
        if (recorded.isEmpty() || !recorded.get().equals(mediaConvertJobId)) {
            return new Applied(Outcome.OTHER_MEDIACONVERT_JOB, jobId, "MediaConvert job '" + mediaConvertJobId
                    + "' is not the one recorded on job " + jobId + " (" + recorded.orElse("none recorded") + ")");
        }
        String status = detail.path("status").asText("");
        return switch (status) {
            case "COMPLETE" -> complete(jobId, detail);
            case "ERROR" -> failed(jobId, detail.path("errorCode").asText("unknown"),
                    detail.path("errorMessage").asText("MediaConvert reported an error without a message"), detail);
            case "CANCELED" -> failed(jobId, "CANCELED", "the MediaConvert job " + detail.path("jobId").asText("?") + " was canceled", detail);
            case "PROGRESSING" -> progress(jobId, 0);
            case "STATUS_UPDATE" -> progress(jobId, detail.path("jobProgress").path("jobPercentComplete").asInt(0));
            default -> new Applied(Outcome.IGNORED, jobId, "status " + status + " does not change the package");
        };
    }

    private Applied complete(String jobId, JsonNode detail) {
        List<Mp4Output> mp4Outputs = makesJobOutputs(detail) ? mp4Outputs(detail) : List.of();
        String master = null;
        for (JsonNode group : detail.path("outputGroupDetails")) {
            if ("HLS_GROUP".equals(group.path("type").asText()) && group.path("playlistFilePaths").size() > 0) {
                master = group.path("playlistFilePaths").get(0).asText();
            }
        }
        if (master == null) {
            Applied failed = failed(jobId, "NO_HLS_PLAYLIST", "the COMPLETE event names no HLS master playlist", null);
            return new Applied(failed.outcome(), jobId, failed.reason(), mp4Outputs, null);
        }
        String key = keyOf(master);
        return jobs.hlsReady(jobId, key) ? new Applied(Outcome.READY, jobId, key, mp4Outputs, null)
                : new Applied(Outcome.STALE, jobId, "the package is already ready or failed", mp4Outputs, null);
    }

    /**
     * Whether the MediaConvert job made the job's own outputs from its source (its userMetadata says so, as
     * {@link MediaConvertSubmitter#submitForSource} writes it), rather than packaging a completed job's final.mp4.
     */
    private static boolean makesJobOutputs(JsonNode detail) {
        return MediaConvertSubmitter.FROM_SOURCE.equals(detail.path("userMetadata").path(MediaConvertSubmitter.MADE_FROM).asText());
    }

    /** The MP4 files of the event's file groups (a pipeline's MediaConvert job writes its renditions there). */
    private static List<Mp4Output> mp4Outputs(JsonNode detail) {
        List<Mp4Output> found = new ArrayList<>();
        for (JsonNode group : detail.path("outputGroupDetails")) {
            if (!"FILE_GROUP".equals(group.path("type").asText())) {
                continue;
            }
            for (JsonNode output : group.path("outputDetails")) {
                String path = output.path("outputFilePaths").path(0).asText("");
                if (path.endsWith(".mp4")) {
                    JsonNode video = output.path("videoDetails");
                    found.add(new Mp4Output(keyOf(path), video.path("widthInPx").asInt(), video.path("heightInPx").asInt(),
                            output.path("durationInMs").asLong()));
                }
            }
        }
        return found;
    }

    /** The key of an {@code s3://bucket/key} URI. */
    private static String keyOf(String uri) {
        return URI.create(uri).getPath().substring(1);
    }

    /** {@code detail} null where the failure is not MediaConvert's own. */
    private Applied failed(String jobId, String code, String message, JsonNode detail) {
        // The job was waiting on this MediaConvert job for its outputs: it fails with it.
        PermanentJobFailure jobFailure = detail != null && makesJobOutputs(detail)
                ? new PermanentJobFailure(FailurePhase.TRANSCODE, "MediaConvert " + code + ": " + message) : null;
        return jobs.hlsFailed(jobId, code, message) ? new Applied(Outcome.FAILED, jobId, code + ": " + message, List.of(), jobFailure)
                : new Applied(Outcome.STALE, jobId, "the package is already ready or failed", List.of(), jobFailure);
    }

    private Applied progress(String jobId, int percent) {
        return jobs.hlsProgress(jobId, percent) ? new Applied(Outcome.PROGRESS, jobId, percent + "%")
                : new Applied(Outcome.STALE, jobId, "progress " + percent + "% is not ahead of the job's");
    }
}
