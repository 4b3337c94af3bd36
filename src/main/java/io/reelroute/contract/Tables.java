package io.reelroute.contract;

/**
 * Attribute and index names of the DynamoDB tables, shared by the stores and the table provisioners, so a
 * renamed attribute can't leave one of them behind.
 */
public final class Tables {

    /** Partition key of all three tables. */
    public static final String JOB_ID = "job_id";
    /** SegmentCompletions sort key (number). */
    public static final String SEGMENT_INDEX = "segment_index";
    /** ReassemblyTriggered: epoch seconds after which DynamoDB removes the item. */
    public static final String TTL = "ttl";

    // Job item attributes.
    public static final String STATUS = "status";
    public static final String MODE = "mode";
    /** The pipeline the job runs, and its params (a JSON object as a string), checked at creation. */
    public static final String PIPELINE = "pipeline";
    public static final String PARAMS = "params";
    /** The MP4 renditions of a job that has them: a JSON array of {width, height, bitrate, key}. */
    public static final String RENDITIONS = "renditions";
    public static final String POSTER_KEY = "poster_key";
    public static final String RERENDER_OF = "rerender_of";
    public static final String HELD = "held";
    public static final String PREVIEW_ID = "preview_id";
    public static final String PREVIEW_PARAMS = "preview_params";
    public static final String PREVIEW_COUNT = "preview_count";
    public static final String PREVIEW_CLIPS = "preview_clips";
    public static final String PREVIEW_ERROR = "preview_error";
    public static final String CREATED_AT = "created_at";
    public static final String UPDATED_AT = "updated_at";
    public static final String TOTAL_SEGMENTS = "total_segments";
    public static final String FAILURE_PHASE = "failure_phase";
    public static final String FAILURE_REASON = "failure_reason";
    /** The raw output behind a failure's reason (a tool's stderr tail, say), cut to a bound; absent if none. */
    public static final String FAILURE_DETAIL = "failure_detail";
    /**
     * Epoch millis when the job ended: completed or failed, despite the name (the sort key of
     * {@link #STATUS_COMPLETED_AT_INDEX}, so both kinds of ended job are listed from it). Removed when a failed job
     * is retried. Its presence does not mean completed: read {@link #STATUS}.
     */
    public static final String COMPLETED_AT = "completed_at";
    /** The API caller (token subject) the job belongs to; absent for jobs started by an upload alone. */
    public static final String OWNER = "owner";
    public static final String TITLE = "title";
    /** Epoch millis when chunking completed: where the progress estimate starts. */
    public static final String CHUNKED_AT = "chunked_at";
    /** Epoch millis when the owner deleted the job; the record stays (so late events find it) but is hidden. */
    public static final String DELETED_AT = "deleted_at";
    /** Distinct segments whose inference finished; added to in the same transaction that records each one. */
    public static final String COMPLETED_SEGMENTS = "completed_segments";
    /** Who holds the reassembly lock, and until when (epoch millis): a crashed holder's lock frees itself. */
    public static final String REASSEMBLY_LOCK_OWNER = "reassembly_lock_owner";
    public static final String REASSEMBLY_LOCK_EXPIRES_AT = "reassembly_lock_expires_at";

    /** HLS packaging of a completed job (see {@link HlsStatus}). */
    public static final String HLS_STATUS = "hls_status";
    public static final String HLS_PERCENT = "hls_percent";
    /** Output-bucket key of the master playlist, as the packager reported it. */
    public static final String HLS_MASTER_KEY = "hls_master_key";
    public static final String HLS_ERROR_CODE = "hls_error_code";
    public static final String HLS_ERROR_MESSAGE = "hls_error_message";
    public static final String MEDIACONVERT_JOB_ID = "mediaconvert_job_id";

    /** The last error a hop left its message for redelivery with ("phase: message"); not progress. */
    public static final String LAST_ERROR = "last_error";
    /** Output-bucket key of the copy of a message that reached a DLQ (body and attributes), for re-driving. */
    public static final String DEAD_LETTER_KEY = "dead_letter_key";
    /** Repairs the stall watchdog made on the job; past reelroute.watchdog.max-repairs it fails the job. */
    public static final String WATCHDOG_REPAIRS = "watchdog_repairs";

    /**
     * The completion webhook of a job created with a callback_url: the URL, its status (pending, delivered, failed),
     * the delivery id (one per job end, the same for every attempt), attempts made, the last answer's status code
     * and error, when it was delivered, when its delivery last changed (epoch millis; the watchdog looks at it), and
     * where the copy of a dead-lettered delivery lies in the output bucket.
     */
    public static final String WEBHOOK_URL = "webhook_url";
    public static final String WEBHOOK_STATUS = "webhook_status";
    public static final String WEBHOOK_DELIVERY_ID = "webhook_delivery_id";
    public static final String WEBHOOK_ATTEMPTS = "webhook_attempts";
    public static final String WEBHOOK_LAST_STATUS_CODE = "webhook_last_status_code";
    public static final String WEBHOOK_LAST_ERROR = "webhook_last_error";
    public static final String WEBHOOK_DELIVERED_AT = "webhook_delivered_at";
    public static final String WEBHOOK_UPDATED_AT = "webhook_updated_at";
    public static final String WEBHOOK_DEAD_LETTER_KEY = "webhook_dead_letter_key";

    /**
     * Sparse index attributes (see {@link #UNFINISHED_OWNER_INDEX}, {@link #WATCH_INDEX}): present only while the job
     * needs them, so the indexes hold the few jobs still at work, never the history of finished ones.
     * {@code unfinished_owner}: the owner, while the job is neither ended nor deleted.
     */
    public static final String UNFINISHED_OWNER = "unfinished_owner";
    /**
     * {@code watch}: the job's watch shard ({@link #watchShard}), while the watchdog may have to act on it: unfinished,
     * completed with HLS packaging not ended, ended with its webhook pending, or deleted with its purge pending.
     */
    public static final String WATCH = "watch";
    /** True while a deleted job's objects may not all be removed yet; the purge removes it when done. */
    public static final String PURGE_PENDING = "purge_pending";
    /**
     * Epoch seconds after which the job's record may go (DynamoDB TTL): set when the job ends or is deleted, to that
     * time plus reelroute.retention.job-records; removed when a failed job is retried.
     */
    public static final String EXPIRES_AT = "expires_at";

    /**
     * Leases live in the Jobs table under keys that are not job ids ({@code lease#<name>}), with these
     * attributes and no status, so job reads, listings and scans never see them.
     */
    public static final String LEASE_KEY_PREFIX = "lease#";
    public static final String LEASE_OWNER = "lease_owner";
    public static final String LEASE_EXPIRES_AT = "lease_expires_at";

    /**
     * A hop's timeline on the job (see {@link Hop}): epoch millis when it started and finished, and the millis its
     * message waited in its queue, as {@code hop_{hop}_started_at}, {@code hop_{hop}_finished_at},
     * {@code hop_{hop}_queue_wait_ms}. Flat attributes, not a map: a hop's finish may be written before its start
     * (an event that overtakes its submission), and a nested path can't be set on a map that is not there.
     */
    public static String hopStartedAt(Hop hop) {
        return "hop_" + hop.wireName() + "_started_at";
    }

    public static String hopFinishedAt(Hop hop) {
        return "hop_" + hop.wireName() + "_finished_at";
    }

    public static String hopQueueWaitMs(Hop hop) {
        return "hop_" + hop.wireName() + "_queue_wait_ms";
    }

    // SegmentCompletions item attributes.
    public static final String OUTPUT_KEY = "output_key";
    /**
     * The segment's inference: epoch millis when it started (its completion's {@code completed_at} is when it
     * finished), the millis its message waited in the video-worker queue, and SQS's delivery count of that message.
     */
    public static final String STARTED_AT = "started_at";
    public static final String QUEUE_WAIT_MS = "queue_wait_ms";
    public static final String ATTEMPTS = "attempts";

    // ReassemblyTriggered item attributes: a claim is pending until its hand-off is confirmed.
    public static final String TRIGGER_STATE = "state";
    public static final String CLAIMED_AT = "claimed_at";

    /**
     * Jobs GSI: partition key {@code status}, sort key {@code completed_at} (a number, epoch millis): the ended
     * jobs, completed or failed, by when they ended.
     */
    public static final String STATUS_COMPLETED_AT_INDEX = "status-completed_at";

    /**
     * Jobs GSI: partition key {@link #UNFINISHED_OWNER}, sort key {@code created_at} (number): an owner's unfinished
     * jobs, newest first. Sparse: only items with the attribute are in it.
     */
    public static final String UNFINISHED_OWNER_INDEX = "unfinished_owner-created_at";

    /**
     * Jobs GSI: partition key {@link #WATCH} (one of {@link #WATCH_SHARDS} shards), sort key {@code updated_at}
     * (number): what the watchdog looks at, by when it last changed. Sparse, like the owner index.
     */
    public static final String WATCH_INDEX = "watch-updated_at";

    /** Shards of the watch index, so that its writes spread over partitions; a reader queries each. */
    public static final int WATCH_SHARDS = 4;

    /** The watch shard of a job: fixed by its id, so every write of the job names the same one. */
    public static String watchShard(String jobId) {
        return Integer.toString(Math.floorMod(jobId.hashCode(), WATCH_SHARDS));
    }

    /** Marks, in the Jobs table, that records written before the sparse indexes have their attributes. */
    public static final String INDEX_BACKFILL_MARKER = "marker#job-index-backfill";

    private Tables() {
    }
}
