package io.reelroute.contract;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A job record as the Jobs table holds it. Optional fields are null until their phase has run. */
public record Job(
        String jobId,
        JobStatus status,
        /** The pipeline the job runs (null only for records older than pipelines: those are stereo jobs). */
        String pipeline,
        /** Its params, validated against the pipeline's schema when the job was created, defaults filled in. */
        Params params,
        /** The stereo mode, for pipelines that have one (the segment keys name it); null otherwise. */
        Mode mode,
        Integer totalSegments,
        /** Distinct segments whose inference is recorded (0 before the first). */
        int completedSegments,
        FailurePhase failurePhase,
        String failureReason,
        /** The raw output behind the failure reason (a tool's stderr tail, say); null if none was given. */
        String failureDetail,
        Instant createdAt,
        Instant updatedAt,
        /** When the job ended, completed or failed (the name is the table's); null while it runs. */
        Instant completedAt,
        /** HLS packaging, once the job is completed: null before submission. */
        Hls hls,
        /** The token subject that created the job through the API; null for a job started by an upload alone. */
        String owner,
        String title,
        /** When chunking completed (the start of the segment work); null before. */
        Instant chunkedAt,
        /** When the job was deleted through the API; a deleted job is gone for its owner. */
        Instant deletedAt,
        /** The last error a hop retried after ("phase: message"); null if none. */
        String lastError,
        /** Where the copy of a dead-lettered message of this job lies in the output bucket; null if none. */
        String deadLetterKey,
        /** Repairs the stall watchdog made. */
        int watchdogRepairs,
        /** Until when the reassembly lock is held; null when free. */
        Instant reassemblyLockExpiresAt,
        /** The MP4 renditions a pipeline that makes them wrote, largest first; empty otherwise. */
        List<Rendition> renditions,
        /** The key of the job's poster still in the output bucket, for a pipeline that makes one; null otherwise. */
        String posterKey,
        /** The job whose source this one renders again with other params (POST /jobs/{id}/rerender); null otherwise. */
        String rerenderOf,
        /** Whether the job waits for POST /jobs/{id}/start after its upload (to be previewed first). */
        boolean held,
        /** The job's latest preview request; null if none. */
        Preview preview,
        /** The completion webhook of a job created with a callback_url; null for a job without one. */
        Webhook webhook,
        /** The job-level hops that have run (or run now), in pipeline order; the segments' times are with their completions. */
        List<Timeline.HopTime> hops) {

    public Job {
        renditions = renditions == null ? List.of() : List.copyOf(renditions);
        hops = hops == null ? List.of() : List.copyOf(hops);
    }

    /** Whether a reassembly worker holds the job's lock at {@code now} (it may yet finish). */
    public boolean reassemblyLockHeld(Instant now) {
        return status == JobStatus.REASSEMBLING && reassemblyLockExpiresAt != null && reassemblyLockExpiresAt.isAfter(now);
    }

    /**
     * A preview of a held job: a few short clips of its source through the model with {@code params}. {@code clips}
     * holds the output key of each clip done so far, by index.
     */
    public record Preview(String previewId, Params params, int count, Map<Integer, String> clips, String error) {

        public boolean ready() {
            return clips != null && clips.size() == count;
        }
    }

    /**
     * The completion webhook: where it goes, where its delivery stands, and what the last attempt got. Fields other
     * than {@code url} and {@code status} are null (attempts 0) until known.
     */
    public record Webhook(String url, WebhookStatus status, String deliveryId, int attempts, Integer lastStatusCode,
            String lastError, Instant deliveredAt, Instant updatedAt, String deadLetterKey) {
    }

    /** The HLS package of a completed job. Fields are null until known. */
    public record Hls(HlsStatus status, String mediaConvertJobId, Integer percent, String masterKey, String errorCode,
            String errorMessage) {
    }
}
