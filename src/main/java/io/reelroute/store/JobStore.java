package io.reelroute.store;

import static io.reelroute.contract.Tables.*;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Hop;
import io.reelroute.contract.HopRun;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.Params;
import io.reelroute.contract.Rendition;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.Timeline;
import io.reelroute.contract.WebhookStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The Jobs table. Every status change is a conditional write that only succeeds from an earlier status,
 * so a late or repeated event can never move a job backwards, and a failed or completed job stays so.
 */
@Component
public class JobStore {

    /** What a status change did. {@code current} is the status the job has after the call. */
    public record Transition(Outcome outcome, JobStatus current) {
        public boolean applied() {
            return outcome == Outcome.MOVED || outcome == Outcome.ALREADY_THERE;
        }
    }

    public enum Outcome { MOVED, ALREADY_THERE, REJECTED, NO_SUCH_JOB }

    private static final int MAX_REASON_LENGTH = 1000;
    private static final int MAX_DETAIL_LENGTH = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** reelroute.retention.job-records' default, for stores made without the settings. */
    static final Duration DEFAULT_RECORD_RETENTION = Duration.ofDays(90);

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;
    private final Duration recordRetention;

    @Autowired
    public JobStore(DynamoDbClient dynamoDb, ReelRouteProperties properties) {
        this(dynamoDb, ResourceNames.fromPrefix(properties.prefix()).jobsTable(), Clock.systemUTC(),
                properties.retention().jobRecords());
    }

    public JobStore(DynamoDbClient dynamoDb, String table, Clock clock) {
        this(dynamoDb, table, clock, DEFAULT_RECORD_RETENTION);
    }

    /** @param recordRetention how long a record is kept after its job ends or is deleted (its {@code expires_at}) */
    public JobStore(DynamoDbClient dynamoDb, String table, Clock clock, Duration recordRetention) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
        this.recordRetention = recordRetention;
    }

    /** Strongly consistent read. */
    public Optional<Job> find(String jobId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(JOB_ID, s(jobId)))).item();
        // An item without a status is not a job (a lease).
        return item == null || !item.containsKey(STATUS) ? Optional.empty() : Optional.of(toJob(item));
    }

    /** The pipeline whose jobs records older than pipelines belong to, and whose params are a mode alone. */
    public static final String STEREO = "stereo";

    /** Creates a stereo job with {@code mode} in {@code created} unless a record exists; true if this call created it. */
    public boolean createIfAbsent(String jobId, Mode mode) {
        return createIfAbsent(jobId, mode, null, null);
    }

    /** As {@link #createIfAbsent(String, Mode)}, for an API caller: the job belongs to {@code owner}. */
    public boolean createIfAbsent(String jobId, Mode mode, String owner, String title) {
        return createIfAbsent(jobId, STEREO, Params.of(JsonNodeFactory.instance.objectNode().put("mode", mode.id())), owner,
                title);
    }

    /**
     * Creates the job in {@code created} unless a record exists; true if this call created it.
     *
     * @param params already checked against the pipeline's schema (see Pipelines)
     * @param owner the subject the job belongs to; null for nobody (the API shows it to no one)
     */
    public boolean createIfAbsent(String jobId, String pipeline, Params params, String owner, String title) {
        return createIfAbsent(jobId, pipeline, params, owner, title, null);
    }

    /**
     * As {@link #createIfAbsent(String, String, Params, String, String)}, with a completion webhook to
     * {@code callbackUrl} (already checked, see CallbackUrls), pending until the job ends; null for none.
     */
    public boolean createIfAbsent(String jobId, String pipeline, Params params, String owner, String title,
            String callbackUrl) {
        return createIfAbsent(jobId, pipeline, params, owner, title, callbackUrl, null);
    }

    /**
     * As {@link #createIfAbsent(String, String, Params, String, String, String)}, for a job that renders the source
     * of job {@code rerenderOf} again; null for any other.
     */
    public boolean createIfAbsent(String jobId, String pipeline, Params params, String owner, String title,
            String callbackUrl, String rerenderOf) {
        long now = clock.millis();
        Map<String, AttributeValue> item = new HashMap<>(Map.of(JOB_ID, s(jobId), STATUS, s(JobStatus.CREATED.wireName()),
                PIPELINE, s(pipeline), PARAMS, s(params.toString()), CREATED_AT, n(now), UPDATED_AT, n(now),
                WATCH, s(watchShard(jobId))));
        if (params.mode() != null) {
            item.put(MODE, s(params.mode().id()));
        }
        if (owner != null) {
            item.put(OWNER, s(owner));
            item.put(UNFINISHED_OWNER, s(owner));
        }
        if (title != null && !title.isBlank()) {
            item.put(TITLE, s(title));
        }
        if (rerenderOf != null) {
            item.put(RERENDER_OF, s(rerenderOf));
        }
        if (callbackUrl != null) {
            item.put(WEBHOOK_URL, s(callbackUrl));
            item.put(WEBHOOK_STATUS, s(WebhookStatus.PENDING.wireName()));
            item.put(WEBHOOK_UPDATED_AT, n(now));
        }
        try {
            dynamoDb.putItem(r -> r.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", JOB_ID)));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    /** Holds a new job: its upload does not start it; POST /jobs/{id}/start does ({@link #release}). */
    public void hold(String jobId) {
        dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression("SET #held = :true")
                .conditionExpression("attribute_exists(#id)")
                .expressionAttributeNames(Map.of("#id", JOB_ID, "#held", HELD))
                .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true))));
    }

    /**
     * Starts a new preview of a held job, replacing any earlier one (its clips are no longer recorded); false if
     * the job is not held in {@code created}.
     */
    public boolean requestPreview(String jobId, String previewId, Params params, int count) {
        return conditionally(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression("SET #pid = :pid, #pparams = :params, #pcount = :count, #clips = :none, #updated = :now"
                        + " REMOVE #perror")
                .conditionExpression("#held = :true AND #status = :created")
                .expressionAttributeNames(Map.of("#pid", PREVIEW_ID, "#pparams", PREVIEW_PARAMS, "#pcount", PREVIEW_COUNT,
                        "#clips", PREVIEW_CLIPS, "#perror", PREVIEW_ERROR, "#held", HELD, "#status", STATUS, "#updated", UPDATED_AT))
                .expressionAttributeValues(Map.of(":pid", s(previewId), ":params", s(params.toString()), ":count", n(count),
                        ":none", AttributeValue.fromM(Map.of()), ":true", AttributeValue.fromBool(true),
                        ":created", s(JobStatus.CREATED.wireName()), ":now", n(clock.millis()))));
    }

    /** Records a preview clip's output, if the clip belongs to the job's current preview. */
    public boolean recordPreviewClip(String jobId, String previewId, int index, String outputKey) {
        return conditionally(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression("SET #clips.#index = :key, #updated = :now")
                .conditionExpression("#pid = :pid")
                .expressionAttributeNames(Map.of("#clips", PREVIEW_CLIPS, "#index", Integer.toString(index), "#pid", PREVIEW_ID,
                        "#updated", UPDATED_AT))
                .expressionAttributeValues(Map.of(":key", s(outputKey), ":pid", s(previewId), ":now", n(clock.millis()))));
    }

    /** Records why a preview could not be made, if it is the job's current one. */
    public boolean previewFailed(String jobId, String previewId, String reason) {
        return conditionally(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression("SET #perror = :reason, #updated = :now")
                .conditionExpression("#pid = :pid")
                .expressionAttributeNames(Map.of("#perror", PREVIEW_ERROR, "#pid", PREVIEW_ID, "#updated", UPDATED_AT))
                .expressionAttributeValues(Map.of(":reason", s(trim(reason)), ":pid", s(previewId), ":now", n(clock.millis()))));
    }

    /** Releases a held job with the params it runs with; false if it is not held in {@code created}. */
    public boolean release(String jobId, Params params) {
        return conditionally(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression("SET #params = :params, #updated = :now REMOVE #held")
                .conditionExpression("#held = :true AND #status = :created")
                .expressionAttributeNames(Map.of("#params", PARAMS, "#held", HELD, "#status", STATUS, "#updated", UPDATED_AT))
                .expressionAttributeValues(Map.of(":params", s(params.toString()), ":true", AttributeValue.fromBool(true),
                        ":created", s(JobStatus.CREATED.wireName()), ":now", n(clock.millis()))));
    }

    private boolean conditionally(Consumer<UpdateItemRequest.Builder> update) {
        try {
            dynamoDb.updateItem(update);
            return true;
        } catch (ConditionalCheckFailedException notNow) {
            return false;
        }
    }

    public Transition startChunking(String jobId) {
        return moveTo(jobId, JobStatus.CHUNKING_IN_PROGRESS, Map.of());
    }

    public Transition chunkingComplete(String jobId, int totalSegments) {
        return chunkingComplete(jobId, totalSegments, null);
    }

    /** Chunking is complete, and the chunk hop's run ({@code chunk}, null for none) ends in the same write. */
    public Transition chunkingComplete(String jobId, int totalSegments, HopRun chunk) {
        long now = clock.millis();
        Map<String, AttributeValue> attributes = new HashMap<>(Map.of(TOTAL_SEGMENTS, n(totalSegments), CHUNKED_AT, n(now)));
        attributes.putAll(hopTimes(chunk, null, now));
        return moveTo(jobId, JobStatus.CHUNKING_COMPLETE, attributes);
    }

    public Transition startReassembly(String jobId) {
        return moveTo(jobId, JobStatus.REASSEMBLING, Map.of());
    }

    /** Sets {@code completed_at}, the sort key of the ended-jobs index. */
    public Transition complete(String jobId) {
        return complete(jobId, null);
    }

    /** As {@link #complete(String)}, ending the hop's run that completed the job ({@code run}, null for none) in the same write. */
    public Transition complete(String jobId, HopRun run) {
        return moveTo(jobId, JobStatus.COMPLETED, hopTimes(run, null, clock.millis()));
    }

    /**
     * Ends a hop's run on the job where no other write of the job ends it (the completion hop's trigger): one small
     * update, once per hop run. Nothing for a null run or a job that is not there.
     */
    public void recordHop(String jobId, HopRun run) {
        if (run != null) {
            setIfJob(jobId, hopTimes(run, null, clock.millis()));
        }
    }

    /**
     * Whether every segment is recorded and chunking is complete: the condition that triggers reassembly.
     * A strongly consistent read, so a count just written by another worker is seen.
     */
    public boolean readyForReassembly(String jobId) {
        return find(jobId).map(job -> job.status() == JobStatus.CHUNKING_COMPLETE && job.totalSegments() != null
                && job.completedSegments() >= job.totalSegments()).orElse(false);
    }

    /**
     * Records the packager's job. It never moves {@code hls_status} back: an event may have arrived before the
     * submission was recorded, and a retried submission repeats it.
     */
    public void hlsSubmitted(String jobId, String mediaConvertJobId) {
        hlsSubmitted(jobId, mediaConvertJobId, null);
    }

    /**
     * As {@link #hlsSubmitted(String, String)}, keeping when the submitting hop's run ({@code run}, null for none)
     * started; the packager's outcome ends it.
     */
    public void hlsSubmitted(String jobId, String mediaConvertJobId, HopRun run) {
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#hls", HLS_STATUS, "#updated", UPDATED_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":submitted", s(HlsStatus.SUBMITTED.wireName()),
                ":now", n(clock.millis())));
        StringBuilder set = new StringBuilder("SET #hls = if_not_exists(#hls, :submitted), #updated = :now");
        if (mediaConvertJobId != null) {
            names.put("#mc", MEDIACONVERT_JOB_ID);
            values.put(":mc", s(mediaConvertJobId));
            set.append(", #mc = :mc");
        }
        setAll(hopTimes(run, null, null), set, names, values);
        String expression = set.toString();
        dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression(expression)
                .conditionExpression("attribute_exists(#id)")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values));
    }

    /**
     * Records the packager's job without an {@code hls_status}: the local packager's, whose events are only applied
     * once it is recorded, and whose request is packaged again if the process stops (see package-hls); with when the
     * packaging hop's run ({@code run}, null for none) started.
     */
    public void recordPackagerJob(String jobId, String packagerJobId, HopRun run) {
        Map<String, AttributeValue> attributes = new HashMap<>(Map.of(MEDIACONVERT_JOB_ID, s(packagerJobId)));
        attributes.putAll(hopTimes(run, null, null));
        setIfJob(jobId, attributes);
    }

    /** Sets {@code attributes} on the job, if there is one (nothing otherwise). */
    private void setIfJob(String jobId, Map<String, AttributeValue> attributes) {
        if (attributes.isEmpty()) {
            return;
        }
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID));
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder set = new StringBuilder();
        setAll(attributes, set, names, values);
        conditionally(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression("SET " + set.substring(2))
                .conditionExpression("attribute_exists(#id)")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values));
    }

    /**
     * The attributes of a hop's run on the job: when it started and how long its message waited (from {@code run}),
     * and when it finished ({@code finishedAt}, epoch millis; null while it runs on). The run's own hop unless
     * {@code as} names another (the poster, a part of the renditions hop). Empty for a null run.
     */
    private static Map<String, AttributeValue> hopTimes(HopRun run, Hop as, Long finishedAt) {
        if (run == null) {
            return Map.of();
        }
        Hop hop = as == null ? run.hop() : as;
        Map<String, AttributeValue> attributes = new HashMap<>(Map.of(hopStartedAt(hop), n(run.startedAt().toEpochMilli())));
        if (run.queueWait() != null) {
            attributes.put(hopQueueWaitMs(hop), n(run.queueWait().toMillis()));
        }
        if (finishedAt != null) {
            attributes.put(hopFinishedAt(hop), n(finishedAt));
        }
        return attributes;
    }

    /**
     * The packager's job recorded on the job ({@link #hlsSubmitted}, {@link #recordPackagerJob}): the only one whose
     * state changes apply to it. Empty when none is recorded or there is no such job.
     */
    public Optional<String> packagerJobId(String jobId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(JOB_ID, s(jobId))).projectionExpression("#mc")
                .expressionAttributeNames(Map.of("#mc", MEDIACONVERT_JOB_ID))).item();
        return item == null || !item.containsKey(MEDIACONVERT_JOB_ID) ? Optional.empty() : Optional.of(item.get(MEDIACONVERT_JOB_ID).s());
    }

    /** Whether a completed job's HLS package is still to be submitted (no {@code hls_status} yet). */
    public boolean needsPackaging(String jobId) {
        return find(jobId).map(job -> job.status() == JobStatus.COMPLETED && job.hls() == null).orElse(false);
    }

    /** Raises the HLS progress; a late or repeated event with a lower percent changes nothing. */
    public boolean hlsProgress(String jobId, int percent) {
        return moveHls(jobId, HlsStatus.PROGRESSING, Map.of(HLS_PERCENT, n(percent)), percent);
    }

    /** HLS is ready, which ends the packaging hop. */
    public boolean hlsReady(String jobId, String masterKey) {
        return moveHls(jobId, HlsStatus.READY, Map.of(HLS_MASTER_KEY, s(masterKey), HLS_PERCENT, n(100),
                hopFinishedAt(Hop.PACKAGING), n(clock.millis())), null);
    }

    /** HLS packaging failed, which ends the packaging hop too. */
    public boolean hlsFailed(String jobId, String errorCode, String errorMessage) {
        return moveHls(jobId, HlsStatus.FAILED, Map.of(HLS_ERROR_CODE, s(errorCode == null ? "unknown" : errorCode),
                HLS_ERROR_MESSAGE, s(trim(errorMessage)), hopFinishedAt(Hop.PACKAGING), n(clock.millis())), null);
    }

    /**
     * Moves {@code hls_status} forward only: to {@code next} from no status or an earlier one that is not final
     * (or staying at {@code next}, for submitted and progressing); with {@code percent}, only upwards.
     */
    private boolean moveHls(String jobId, HlsStatus next, Map<String, AttributeValue> attributes, Integer percent) {
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#hls", HLS_STATUS, "#updated", UPDATED_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":next", s(next.wireName()), ":now", n(clock.millis())));
        StringBuilder update = new StringBuilder("SET #hls = :next, #updated = :now");
        setAll(attributes, update, names, values);
        StringBuilder allowed = new StringBuilder();
        for (HlsStatus from : HlsStatus.values()) {
            boolean earlier = from.ordinal() < next.ordinal() && !from.isFinal();
            boolean same = from == next && !next.isFinal();
            if (earlier || same) {
                values.put(":from" + from.ordinal(), s(from.wireName()));
                allowed.append(allowed.length() == 0 ? "" : ", ").append(":from").append(from.ordinal());
            }
        }
        String condition = "attribute_exists(#id) AND (attribute_not_exists(#hls)"
                + (allowed.length() > 0 ? " OR #hls IN (" + allowed + ")" : "") + ")";
        if (percent != null) {
            names.put("#percent", HLS_PERCENT);
            values.put(":percent", n(percent));
            condition += " AND (attribute_not_exists(#percent) OR #percent < :percent)";
        }
        String finalCondition = condition;
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression(update.toString())
                    .conditionExpression(finalCondition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException behind) {
            return false;
        }
        if (next.isFinal()) {
            releaseWatch(jobId);
        }
        return true;
    }

    /**
     * Records the MP4 renditions a job's pipeline wrote (a repeat writes the same list again), made by a packager
     * elsewhere (MediaConvert): their arrival ends the renditions hop, whose start its submission kept.
     */
    public void recordRenditions(String jobId, List<Rendition> renditions) {
        long now = clock.millis();
        updateRenditions(jobId, renditions, Map.of(hopFinishedAt(Hop.RENDITIONS), n(now)), now);
    }

    /** Records the MP4 renditions made by the renditions hop's run {@code run} (null for none), which they end. */
    public void recordRenditions(String jobId, List<Rendition> renditions, HopRun run) {
        long now = clock.millis();
        updateRenditions(jobId, renditions, hopTimes(run, null, now), now);
    }

    private void updateRenditions(String jobId, List<Rendition> renditions, Map<String, AttributeValue> hopTimes, long now) {
        String json;
        try {
            json = JSON.writeValueAsString(renditions);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("renditions can't be written as JSON", e);
        }
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#renditions", RENDITIONS, "#updated", UPDATED_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":renditions", s(json), ":now", n(now)));
        StringBuilder set = new StringBuilder("SET #renditions = :renditions, #updated = :now");
        setAll(hopTimes, set, names, values);
        dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression(set.toString())
                .conditionExpression("attribute_exists(#id)")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values));
    }

    /**
     * Records where the job's poster still lies in the output bucket (a repeat writes the same key again). The poster
     * is made first thing in the hop run {@code within} (null for none): its part of the timeline runs from that
     * run's start to now.
     */
    public void recordPoster(String jobId, String key, HopRun within) {
        long now = clock.millis();
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#poster", POSTER_KEY, "#updated", UPDATED_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":poster", s(key), ":now", n(now)));
        StringBuilder set = new StringBuilder("SET #poster = :poster, #updated = :now");
        setAll(hopTimes(within, Hop.POSTER, now), set, names, values);
        dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression(set.toString())
                .conditionExpression("attribute_exists(#id)")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values));
    }

    /**
     * The job's webhook is requested (its job ended): gives the pending delivery its id, kept from the first request
     * so that repeated requests name the same delivery, and restarts the webhook's stall clock. Empty if the job has
     * no webhook, or its delivery has ended (delivered or failed), or there is no such job.
     */
    public Optional<Job> webhookRequested(String jobId, String newDeliveryId) {
        try {
            Map<String, AttributeValue> item = dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression("SET #delivery = if_not_exists(#delivery, :delivery), #at = :now")
                    .conditionExpression("attribute_exists(#id) AND attribute_exists(#url) AND #ws = :pending")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#url", WEBHOOK_URL, "#ws", WEBHOOK_STATUS,
                            "#delivery", WEBHOOK_DELIVERY_ID, "#at", WEBHOOK_UPDATED_AT))
                    .expressionAttributeValues(Map.of(":delivery", s(newDeliveryId), ":now", n(clock.millis()),
                            ":pending", s(WebhookStatus.PENDING.wireName())))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW)).attributes();
            return Optional.of(toJob(item));
        } catch (ConditionalCheckFailedException noneOrEnded) {
            return Optional.empty();
        }
    }

    /**
     * Records attempt {@code attempt} of the job's webhook delivery {@code deliveryId}: the attempt count, what the
     * receiver answered ({@code statusCode} null for no answer) or the error, and the status it leaves the delivery
     * in. Only once per attempt, only forward, and only while that delivery is pending: false otherwise (a repeated
     * or stale message, whose attempt is not recorded twice).
     */
    public boolean recordWebhookAttempt(String jobId, String deliveryId, int attempt, WebhookStatus next,
            Integer statusCode, String error) {
        long now = clock.millis();
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#ws", WEBHOOK_STATUS, "#delivery",
                WEBHOOK_DELIVERY_ID, "#attempts", WEBHOOK_ATTEMPTS, "#at", WEBHOOK_UPDATED_AT, "#code",
                WEBHOOK_LAST_STATUS_CODE, "#error", WEBHOOK_LAST_ERROR));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":next", s(next.wireName()), ":delivery", s(deliveryId),
                ":attempt", n(attempt), ":now", n(now), ":pending", s(WebhookStatus.PENDING.wireName())));
        StringBuilder update = new StringBuilder("SET #ws = :next, #attempts = :attempt, #at = :now");
        List<String> removed = new ArrayList<>();
        if (statusCode != null) {
            values.put(":code", n(statusCode));
            update.append(", #code = :code");
        } else {
            removed.add("#code");
        }
        if (error != null) {
            values.put(":error", s(trim(error)));
            update.append(", #error = :error");
        } else {
            removed.add("#error");
        }
        if (next == WebhookStatus.DELIVERED) {
            names.put("#delivered", WEBHOOK_DELIVERED_AT);
            update.append(", #delivered = :now");
        }
        if (!removed.isEmpty()) {
            update.append(" REMOVE ").append(String.join(", ", removed));
        }
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression(update.toString())
                    .conditionExpression("attribute_exists(#id) AND #ws = :pending AND #delivery = :delivery"
                            + " AND (attribute_not_exists(#attempts) OR #attempts < :attempt)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException staleOrEnded) {
            return false;
        }
        if (next.isFinal()) {
            releaseWatch(jobId);
        }
        return true;
    }

    /**
     * Ends a pending webhook delivery failed without an attempt of its own (its request reached the DLQ), keeping the
     * error. False if the delivery had ended or the job has no webhook.
     */
    public boolean webhookFailed(String jobId, String error) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression("SET #ws = :failed, #error = :error, #at = :now")
                    .conditionExpression("attribute_exists(#id) AND #ws = :pending")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#ws", WEBHOOK_STATUS, "#error", WEBHOOK_LAST_ERROR,
                            "#at", WEBHOOK_UPDATED_AT))
                    .expressionAttributeValues(Map.of(":failed", s(WebhookStatus.FAILED.wireName()),
                            ":error", s(trim(error)), ":now", n(clock.millis()),
                            ":pending", s(WebhookStatus.PENDING.wireName()))));
        } catch (ConditionalCheckFailedException endedOrNone) {
            return false;
        }
        releaseWatch(jobId);
        return true;
    }

    /** Records where the copy of the job's dead-lettered webhook delivery lies in the output bucket. */
    public void recordWebhookDeadLetter(String jobId, String key) {
        dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression("SET #key = :key")
                .conditionExpression("attribute_exists(#id)")
                .expressionAttributeNames(Map.of("#id", JOB_ID, "#key", WEBHOOK_DEAD_LETTER_KEY))
                .expressionAttributeValues(Map.of(":key", s(key))));
    }

    /**
     * A new delivery for a job that runs again (a retry of a failed job): the webhook is pending again, without the
     * last delivery's id and attempts, so that the job's next end is delivered too. Nothing for a job without one.
     */
    public void resetWebhook(String jobId) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression("SET #ws = :pending, #at = :now, #watch = :shard"
                            + " REMOVE #delivery, #attempts, #code, #error, #delivered, #key")
                    .conditionExpression("attribute_exists(#url)")
                    .expressionAttributeNames(Map.of("#url", WEBHOOK_URL, "#ws", WEBHOOK_STATUS, "#at", WEBHOOK_UPDATED_AT,
                            "#delivery", WEBHOOK_DELIVERY_ID, "#attempts", WEBHOOK_ATTEMPTS, "#code",
                            WEBHOOK_LAST_STATUS_CODE, "#error", WEBHOOK_LAST_ERROR, "#delivered", WEBHOOK_DELIVERED_AT,
                            "#key", WEBHOOK_DEAD_LETTER_KEY, "#watch", WATCH))
                    .expressionAttributeValues(Map.of(":pending", s(WebhookStatus.PENDING.wireName()),
                            ":now", n(clock.millis()), ":shard", s(watchShard(jobId)))));
        } catch (ConditionalCheckFailedException noWebhook) {
            // Nothing to deliver for this job.
        }
    }

    /**
     * Ended jobs (completed or failed, not deleted) whose webhook is still pending and has not changed since
     * {@code before}: their request or its next attempt was lost. Read from the watch index, whatever its
     * {@code updated_at} (a webhook's changes don't move it), so it reads the jobs being watched, not the history.
     */
    public List<Job> webhooksPendingSince(Instant before) {
        return watched(null, "#ws = :pending AND #at < :before AND #status IN (:completed, :failed)"
                + " AND attribute_not_exists(#deleted)",
                Map.of("#ws", WEBHOOK_STATUS, "#at", WEBHOOK_UPDATED_AT, "#status", STATUS, "#deleted", DELETED_AT),
                Map.of(":pending", s(WebhookStatus.PENDING.wireName()), ":before", n(before.toEpochMilli()),
                        ":completed", s(JobStatus.COMPLETED.wireName()), ":failed", s(JobStatus.FAILED.wireName())));
    }

    /** Fails the job (setting {@code completed_at}, when it ended, as {@link #moveTo} does for an end). */
    public Transition fail(String jobId, FailurePhase phase, String reason) {
        return fail(jobId, phase, reason, null);
    }

    /**
     * As {@link #fail(String, FailurePhase, String)}, keeping {@code detail}, the raw output behind the reason (a
     * tool's stderr tail, say; null for none), cut to its last {@value #MAX_DETAIL_LENGTH} characters.
     */
    public Transition fail(String jobId, FailurePhase phase, String reason, String detail) {
        Map<String, AttributeValue> attributes = new HashMap<>(failure(phase, reason));
        String trimmed = trimDetail(detail);
        if (trimmed != null) {
            attributes.put(FAILURE_DETAIL, s(trimmed));
        }
        return moveTo(jobId, JobStatus.FAILED, attributes);
    }

    /** Fails the job, keeping where the copy of its dead-lettered message lies. */
    public Transition failDeadLettered(String jobId, FailurePhase phase, String reason, String deadLetterKey) {
        Map<String, AttributeValue> attributes = new HashMap<>(failure(phase, reason));
        attributes.put(DEAD_LETTER_KEY, s(deadLetterKey));
        return moveTo(jobId, JobStatus.FAILED, attributes);
    }

    private static Map<String, AttributeValue> failure(FailurePhase phase, String reason) {
        return Map.of(FAILURE_PHASE, s(phase.wireName()), FAILURE_REASON, s(trim(reason)));
    }

    /**
     * Notes the error a hop is about to leave its message for redelivery with, so that whoever gives up on the
     * message later (the DLQ hop, the watchdog) can say why. Not progress: {@code updated_at} stays. Only on
     * unfinished jobs; false otherwise.
     */
    public boolean recordLastError(String jobId, FailurePhase phase, String error) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression("SET #error = :error")
                    .conditionExpression("attribute_exists(#id) AND NOT #status IN (:completed, :failed)")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#error", LAST_ERROR, "#status", STATUS))
                    .expressionAttributeValues(Map.of(":error", s(phase.wireName() + ": " + trim(error)),
                            ":completed", s(JobStatus.COMPLETED.wireName()), ":failed", s(JobStatus.FAILED.wireName()))));
            return true;
        } catch (ConditionalCheckFailedException endedOrAbsent) {
            return false;
        }
    }

    /**
     * Counts a watchdog repair of a job still in {@code status}, and restarts its stall clock
     * ({@code updated_at}) so the repair has time to work. False if the job moved on meanwhile.
     */
    public boolean recordRepair(String jobId, JobStatus status) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression("SET #updated = :now ADD #repairs :one")
                    .conditionExpression("attribute_exists(#id) AND #status = :status")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#updated", UPDATED_AT, "#repairs", WATCHDOG_REPAIRS,
                            "#status", STATUS))
                    .expressionAttributeValues(Map.of(":now", n(clock.millis()), ":one", n(1),
                            ":status", s(status.wireName()))));
            return true;
        } catch (ConditionalCheckFailedException movedOn) {
            return false;
        }
    }

    /**
     * Takes or renews the lease {@code name} for {@code owner} until now + {@code ttl}: granted if nobody holds
     * it, the owner already does, or the holder's lease ran out. One conditional write, so two processes never
     * both get it.
     */
    public boolean holdLease(String name, String owner, Duration ttl) {
        long now = clock.millis();
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(LEASE_KEY_PREFIX + name)))
                    .updateExpression("SET #owner = :me, #expires = :until")
                    .conditionExpression("attribute_not_exists(#id) OR #owner = :me OR #expires < :now")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#owner", LEASE_OWNER, "#expires", LEASE_EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":me", s(owner), ":until", n(now + ttl.toMillis()), ":now", n(now))));
            return true;
        } catch (ConditionalCheckFailedException heldByAnother) {
            return false;
        }
    }

    /**
     * Jobs that may be stalled: not deleted, last changed before {@code before}, and unfinished, or completed
     * with HLS packaging not yet submitted, or still submitted or progressing. A Query of the watch index, which
     * holds only jobs still watched, so its cost follows the work in progress, not the jobs ever run.
     */
    public List<Job> unfinishedSince(Instant before) {
        return watched(before, "attribute_not_exists(#deleted) AND (NOT #status IN (:completed, :failed)"
                + " OR (#status = :completed AND (attribute_not_exists(#hls) OR #hls IN (:submitted, :progressing))))",
                Map.of("#status", STATUS, "#deleted", DELETED_AT, "#hls", HLS_STATUS),
                Map.of(":completed", s(JobStatus.COMPLETED.wireName()), ":failed", s(JobStatus.FAILED.wireName()),
                        ":submitted", s(HlsStatus.SUBMITTED.wireName()), ":progressing", s(HlsStatus.PROGRESSING.wireName())));
    }

    /** Deleted jobs whose purge has not finished, last changed before {@code before}, from the watch index. */
    public List<Job> purgesPendingSince(Instant before) {
        return watched(before, "attribute_exists(#deleted) AND attribute_exists(#purge)",
                Map.of("#deleted", DELETED_AT, "#purge", PURGE_PENDING), Map.of());
    }

    /**
     * Takes out of the watch index the jobs in it, last changed before {@code before}, that need no watching: the
     * second write after a job's last reason ended (see {@link #releaseWatch}) may have been lost to a crash.
     * Returns how many.
     */
    public int releaseIdleWatches(Instant before) {
        Condition idle = Condition.needsNoWatch();
        List<Job> idleJobs = watched(before, idle.expression(), idle.names(), idle.values());
        idleJobs.forEach(job -> releaseWatch(job.jobId()));
        return idleJobs.size();
    }

    /**
     * The watch index's jobs matching {@code filter}, from every shard; with {@code before}, only those whose
     * {@code updated_at} is earlier. Index reads are eventually consistent: a job changed a moment ago may be seen
     * as it was, which the watchdog's conditional repairs allow for.
     */
    private List<Job> watched(Instant before, String filter, Map<String, String> filterNames,
            Map<String, AttributeValue> filterValues) {
        Map<String, String> names = new HashMap<>(filterNames);
        names.put("#watch", WATCH);
        Map<String, AttributeValue> values = new HashMap<>(filterValues);
        String key = "#watch = :shard";
        if (before != null) {
            names.put("#updated", UPDATED_AT);
            values.put(":updatedBefore", n(before.toEpochMilli()));
            key += " AND #updated < :updatedBefore";
        }
        String keyCondition = key;
        List<Job> found = new ArrayList<>();
        for (int shard = 0; shard < WATCH_SHARDS; shard++) {
            values.put(":shard", s(Integer.toString(shard)));
            Map<String, AttributeValue> shardValues = Map.copyOf(values);
            dynamoDb.queryPaginator(r -> r.tableName(table).indexName(WATCH_INDEX)
                    .keyConditionExpression(keyCondition)
                    .filterExpression(filter)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(shardValues))
                    .items().forEach(item -> found.add(toJob(item)));
        }
        return found;
    }

    /**
     * Takes the job out of the watch index if nothing about it needs watching any more (see {@code Tables.WATCH}).
     * Called after each write that may have ended the last reason: a condition can't choose what one update
     * removes, so this is a second, conditional write; if it is lost, {@link #releaseIdleWatches} does it later.
     */
    private void releaseWatch(String jobId) {
        Condition idle = Condition.needsNoWatch();
        Map<String, String> names = new HashMap<>(idle.names());
        names.put("#watch", WATCH);
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression("REMOVE #watch")
                    .conditionExpression(idle.expression())
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(idle.values()));
        } catch (ConditionalCheckFailedException stillWatched) {
            // Something about it still needs the watchdog.
        }
    }

    /** A condition expression with its names and values. */
    private record Condition(String expression, Map<String, String> names, Map<String, AttributeValue> values) {

        /**
         * The job needs the watchdog: unfinished, completed with packaging not ended, ended with its webhook pending
         * (all while not deleted), or deleted with its purge pending. The one definition of the watch index's members.
         */
        static Condition needsWatch() {
            return new Condition("(attribute_not_exists(#deleted) AND (NOT #status IN (:completed, :failed)"
                    + " OR (#status = :completed AND (attribute_not_exists(#hls) OR #hls IN (:submitted, :progressing)))"
                    + " OR #ws = :pending))"
                    + " OR (attribute_exists(#deleted) AND attribute_exists(#purge))",
                    Map.of("#deleted", DELETED_AT, "#status", STATUS, "#hls", HLS_STATUS, "#ws", WEBHOOK_STATUS,
                            "#purge", PURGE_PENDING),
                    Map.of(":completed", s(JobStatus.COMPLETED.wireName()), ":failed", s(JobStatus.FAILED.wireName()),
                            ":submitted", s(HlsStatus.SUBMITTED.wireName()),
                            ":progressing", s(HlsStatus.PROGRESSING.wireName()),
                            ":pending", s(WebhookStatus.PENDING.wireName())));
        }

        /** An unfinished job that is not deleted: one that belongs in its owner's unfinished jobs. */
        static Condition unfinishedOwned() {
            return new Condition("attribute_exists(#owner) AND attribute_not_exists(#deleted)"
                    + " AND NOT #status IN (:completed, :failed)",
                    Map.of("#owner", OWNER, "#deleted", DELETED_AT, "#status", STATUS),
                    Map.of(":completed", s(JobStatus.COMPLETED.wireName()), ":failed", s(JobStatus.FAILED.wireName())));
        }

        /** A job (an item with a status) that {@link #needsWatch} does not hold for. */
        static Condition needsNoWatch() {
            Condition watch = needsWatch();
            return new Condition("attribute_exists(#status) AND NOT (" + watch.expression() + ")", watch.names(),
                    watch.values());
        }
    }

    /**
     * Marks the job deleted ({@code deleted_at}, kept from the first call) with its purge pending, and starts its
     * record's retention. The record stays so that late events still find their job; readers that serve owners treat
     * a deleted job as absent. It leaves the owner's unfinished jobs; it stays watched until {@link #purged}, so the
     * watchdog finishes a purge that a restart or a failure cut short. False if there is no such job.
     */
    public boolean markDeleted(String jobId) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression("SET #deleted = if_not_exists(#deleted, :now), #updated = :now, #purge = :true,"
                            + " #watch = :shard, #expires = :expires REMOVE #unfinished")
                    .conditionExpression("attribute_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#deleted", DELETED_AT, "#updated", UPDATED_AT,
                            "#purge", PURGE_PENDING, "#watch", WATCH, "#expires", EXPIRES_AT, "#unfinished", UNFINISHED_OWNER))
                    .expressionAttributeValues(Map.of(":now", n(clock.millis()), ":true", AttributeValue.fromBool(true),
                            ":shard", s(watchShard(jobId)), ":expires", n(expiresAt()))));
            return true;
        } catch (ConditionalCheckFailedException absent) {
            return false;
        }
    }

    /**
     * The deleted job's objects are all removed: its purge is no longer pending, and nothing else about a deleted job
     * needs watching. False if the job is not deleted (or not there).
     */
    public boolean purged(String jobId) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression("REMOVE #purge, #watch")
                    .conditionExpression("attribute_exists(#deleted)")
                    .expressionAttributeNames(Map.of("#purge", PURGE_PENDING, "#watch", WATCH, "#deleted", DELETED_AT)));
            return true;
        } catch (ConditionalCheckFailedException notDeleted) {
            return false;
        }
    }

    /**
     * Gives records written before the sparse indexes existed the attributes that put them in the indexes: a
     * paginated Scan, once per table (a marker item says it was done), of the items that lack an attribute they should
     * have. Each write is conditional on the job still being in that state, so a job that moved on meanwhile is left
     * alone. Returns how many records were given an attribute, or -1 if the backfill had been done.
     */
    public int backfillIndexes() {
        Map<String, AttributeValue> marker = Map.of(JOB_ID, s(INDEX_BACKFILL_MARKER));
        if (dynamoDb.getItem(r -> r.tableName(table).consistentRead(true).key(marker)).hasItem()) {
            return -1;
        }
        Condition watch = Condition.needsWatch();
        Condition unfinished = Condition.unfinishedOwned();
        Map<String, String> names = new HashMap<>(watch.names());
        names.putAll(unfinished.names());
        names.put("#watch", WATCH);
        names.put("#unfinished", UNFINISHED_OWNER);
        Map<String, AttributeValue> values = new HashMap<>(watch.values());
        values.putAll(unfinished.values());
        int given = 0;
        for (Map<String, AttributeValue> item : dynamoDb.scanPaginator(r -> r.tableName(table).consistentRead(true)
                .filterExpression("attribute_exists(#status) AND ((attribute_not_exists(#watch) AND (" + watch.expression()
                        + ")) OR (attribute_not_exists(#unfinished) AND " + unfinished.expression() + "))")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)).items()) {
            String jobId = item.get(JOB_ID).s();
            if (!item.containsKey(WATCH) && setIf(jobId, WATCH, s(watchShard(jobId)), watch)) {
                given++;
            }
            if (!item.containsKey(UNFINISHED_OWNER) && item.containsKey(OWNER)
                    && setIf(jobId, UNFINISHED_OWNER, item.get(OWNER), unfinished)) {
                given++;
            }
        }
        dynamoDb.updateItem(r -> r.tableName(table).key(marker).updateExpression("SET #at = :now")
                .expressionAttributeNames(Map.of("#at", UPDATED_AT)).expressionAttributeValues(Map.of(":now", n(clock.millis()))));
        return given;
    }

    /** Sets {@code attribute} to {@code value} if {@code condition} holds; whether it did. */
    private boolean setIf(String jobId, String attribute, AttributeValue value, Condition condition) {
        Map<String, String> names = new HashMap<>(condition.names());
        names.put("#set", attribute);
        Map<String, AttributeValue> values = new HashMap<>(condition.values());
        values.put(":set", value);
        return conditionally(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression("SET #set = :set")
                .conditionExpression(condition.expression())
                .expressionAttributeNames(names)
                .expressionAttributeValues(values));
    }

    /**
     * Deletes the records whose {@code expires_at} is before {@code now}: what DynamoDB's TTL does on AWS, for the embedded
     * default (DynamoDB Local keeps expired items). A paginated Scan of the whole table, so for the embedded default
     * only; each delete is conditional on the record still being expired. Returns how many went.
     */
    public int removeExpired(Instant now) {
        Map<String, String> names = Map.of("#expires", EXPIRES_AT);
        Map<String, AttributeValue> values = Map.of(":now", n(now.getEpochSecond()));
        int removed = 0;
        for (Map<String, AttributeValue> item : dynamoDb.scanPaginator(r -> r.tableName(table)
                .filterExpression("#expires < :now")
                .projectionExpression("#id")
                .expressionAttributeNames(Map.of("#expires", EXPIRES_AT, "#id", JOB_ID))
                .expressionAttributeValues(values)).items()) {
            try {
                dynamoDb.deleteItem(r -> r.tableName(table).key(Map.of(JOB_ID, item.get(JOB_ID)))
                        .conditionExpression("#expires < :now")
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values));
                removed++;
            } catch (ConditionalCheckFailedException keptMeanwhile) {
                // Retried meanwhile: it runs again.
            }
        }
        return removed;
    }

    /** When a record whose job ends (or is deleted) now may go: epoch seconds, as DynamoDB's TTL reads them. */
    private long expiresAt() {
        return clock.instant().plus(recordRetention).getEpochSecond();
    }

    /**
     * The one way back: a retry puts a failed job in {@code to} ({@code created} to run chunking again,
     * {@code chunking_complete} to run inference or reassembly again) and clears its failure, conditional on the
     * job still being failed, so two retries at once re-drive it once. Clearing {@code completed_at} takes it out
     * of the failed-jobs listing. Going back to {@code created} also clears the segment total, which chunking sets
     * again. Recorded segment completions stay: segment keys are deterministic, so work already done is not
     * repeated. The job is unfinished again: watched, among its owner's unfinished jobs, and kept. False if the job
     * is not failed (or not there, or deleted).
     */
    public boolean resetFailed(String jobId, JobStatus to) {
        if (to != JobStatus.CREATED && to != JobStatus.CHUNKING_COMPLETE) {
            throw new IllegalArgumentException("a failed job goes back to created or chunking_complete, not " + to);
        }
        Optional<Job> found = find(jobId);
        if (found.isEmpty()) {
            return false;
        }
        String owner = found.get().owner();
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#status", STATUS, "#updated", UPDATED_AT,
                "#phase", FAILURE_PHASE, "#reason", FAILURE_REASON, "#detail", FAILURE_DETAIL, "#ended", COMPLETED_AT,
                "#watch", WATCH, "#expires", EXPIRES_AT, "#deleted", DELETED_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":to", s(to.wireName()), ":now", n(clock.millis()),
                ":failed", s(JobStatus.FAILED.wireName()), ":shard", s(watchShard(jobId))));
        String set = "SET #status = :to, #updated = :now, #watch = :shard";
        String remove = " REMOVE #phase, #reason, #detail, #ended, #expires";
        if (owner != null) {
            names.put("#unfinished", UNFINISHED_OWNER);
            values.put(":owner", s(owner));
            set += ", #unfinished = :owner";
        }
        if (to == JobStatus.CREATED) {
            names.put("#total", TOTAL_SEGMENTS);
            names.put("#chunked", CHUNKED_AT);
            remove += ", #total, #chunked";
        }
        String update = set + remove;
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression(update)
                    // Not deleted: a deleted job is never started again (and must not come back to the indexes).
                    .conditionExpression("attribute_exists(#id) AND #status = :failed AND attribute_not_exists(#deleted)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException notFailed) {
            return false;
        }
    }

    /** One page of a listing: the jobs and where the next page starts (null at the end). */
    public record Page(List<Job> jobs, Map<String, AttributeValue> lastKey) {
    }

    /**
     * The owner's jobs that ended in {@code status} (completed or failed), the latest to end first, from the
     * {@code status-completed_at} index; deleted jobs are left out. Reads until {@code limit} jobs are found or
     * the index ends (at most a few requests, so a page can come back short with a next key).
     */
    public Page endedOf(String owner, JobStatus status, int limit, Map<String, AttributeValue> startKey) {
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("only ended jobs are in the index, not " + status.wireName() + " ones");
        }
        return collect(limit, startKey, (remaining, from) -> {
            var response = dynamoDb.query(r -> r.tableName(table).indexName(STATUS_COMPLETED_AT_INDEX)
                    .keyConditionExpression("#status = :status")
                    .filterExpression("#owner = :owner AND attribute_not_exists(#deleted)")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#owner", OWNER, "#deleted", DELETED_AT))
                    .expressionAttributeValues(Map.of(":status", s(status.wireName()), ":owner", s(owner)))
                    .scanIndexForward(false)
                    .limit(remaining)
                    .exclusiveStartKey(from));
            return new Page(response.items().stream().map(JobStore::toJob).toList(),
                    response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null);
        });
    }

    /**
     * The owner's unfinished jobs (neither completed nor failed nor deleted), the newest first, from the sparse
     * {@code unfinished_owner-created_at} index: it holds only unfinished jobs, so a listing reads what it returns
     * whatever the number of the owner's finished jobs. Eventually consistent, as index reads are: a job created or
     * ended a moment ago may not show yet.
     */
    public Page unfinishedOf(String owner, int limit, Map<String, AttributeValue> startKey) {
        return collect(limit, startKey, (remaining, from) -> {
            var response = dynamoDb.query(r -> r.tableName(table).indexName(UNFINISHED_OWNER_INDEX)
                    .keyConditionExpression("#unfinished = :owner")
                    .expressionAttributeNames(Map.of("#unfinished", UNFINISHED_OWNER))
                    .expressionAttributeValues(Map.of(":owner", s(owner)))
                    .scanIndexForward(false)
                    .limit(remaining)
                    .exclusiveStartKey(from));
            return new Page(response.items().stream().map(JobStore::toJob).toList(),
                    response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null);
        });
    }

    /**
     * How many unfinished jobs the owner has (for quotas): a COUNT Query of the same index, so it reads the owner's
     * unfinished jobs' index entries and nothing of their finished ones. Eventually consistent, like the listing.
     */
    public long countUnfinishedOf(String owner) {
        long count = 0;
        Map<String, AttributeValue> from = null;
        do {
            Map<String, AttributeValue> start = from;
            var response = dynamoDb.query(r -> r.tableName(table).indexName(UNFINISHED_OWNER_INDEX)
                    .keyConditionExpression("#unfinished = :owner")
                    .expressionAttributeNames(Map.of("#unfinished", UNFINISHED_OWNER))
                    .expressionAttributeValues(Map.of(":owner", s(owner)))
                    .select(Select.COUNT)
                    .exclusiveStartKey(start));
            count += response.count();
            from = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (from != null);
        return count;
    }

    private static final int MAX_REQUESTS_PER_PAGE = 10;

    /**
     * Reads pages of at most the remaining count until {@code limit} jobs are found. With Limit equal to what is
     * still wanted, a full page ends exactly at its last job, so the last evaluated key is where the next starts.
     */
    private static Page collect(int limit, Map<String, AttributeValue> startKey,
            java.util.function.BiFunction<Integer, Map<String, AttributeValue>, Page> read) {
        List<Job> found = new java.util.ArrayList<>();
        Map<String, AttributeValue> from = startKey;
        for (int request = 0; request < MAX_REQUESTS_PER_PAGE && found.size() < limit; request++) {
            Page page = read.apply(limit - found.size(), from);
            found.addAll(page.jobs());
            from = page.lastKey();
            if (from == null) {
                break;
            }
        }
        return new Page(found, from);
    }

    /**
     * Moves the job to {@code next} if its current status is one of next's predecessors, setting
     * {@code attributes} in the same write. Re-entering the status it already has is reported, not written. Moving
     * to an end (completed or failed) sets {@code completed_at}, when it ended, unless given, and {@code expires_at},
     * and takes the job out of its owner's unfinished jobs in the same write; it leaves the watch index too unless
     * something about it still needs the watchdog (packaging, a webhook).
     */
    public Transition moveTo(String jobId, JobStatus next, Map<String, AttributeValue> attributes) {
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#status", STATUS, "#updated", UPDATED_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":next", s(next.wireName()), ":now", n(clock.millis())));
        StringBuilder update = new StringBuilder("SET #status = :next, #updated = :now");
        setAll(attributes, update, names, values);
        if (next.isTerminal() && !attributes.containsKey(COMPLETED_AT)) {
            names.put("#completed", COMPLETED_AT);
            update.append(", #completed = :now");
        }
        if (next.isTerminal()) {
            names.put("#expires", EXPIRES_AT);
            names.put("#unfinished", UNFINISHED_OWNER);
            values.put(":expires", n(expiresAt()));
            update.append(", #expires = :expires REMOVE #unfinished");
        }
        List<JobStatus> from = List.copyOf(next.predecessors());
        StringBuilder allowed = new StringBuilder();
        for (int i = 0; i < from.size(); i++) {
            values.put(":from" + i, s(from.get(i).wireName()));
            allowed.append(i == 0 ? "" : ", ").append(":from").append(i);
        }
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(Map.of(JOB_ID, s(jobId)))
                    .updateExpression(update.toString())
                    .conditionExpression("attribute_exists(#id) AND #status IN (" + allowed + ")")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException notAllowed) {
            return find(jobId)
                    .map(job -> new Transition(job.status() == next ? Outcome.ALREADY_THERE : Outcome.REJECTED, job.status()))
                    .orElse(new Transition(Outcome.NO_SUCH_JOB, null));
        }
        if (next.isTerminal()) {
            releaseWatch(jobId);
        }
        return new Transition(Outcome.MOVED, next);
    }

    private static Job toJob(Map<String, AttributeValue> item) {
        return new Job(
                item.get(JOB_ID).s(),
                JobStatus.fromWireName(item.get(STATUS).s()),
                item.containsKey(PIPELINE) ? item.get(PIPELINE).s() : STEREO,
                params(item),
                item.containsKey(MODE) ? Mode.fromId(item.get(MODE).s()) : null,
                item.containsKey(TOTAL_SEGMENTS) ? Integer.valueOf(item.get(TOTAL_SEGMENTS).n()) : null,
                item.containsKey(COMPLETED_SEGMENTS) ? Integer.parseInt(item.get(COMPLETED_SEGMENTS).n()) : 0,
                item.containsKey(FAILURE_PHASE) ? FailurePhase.fromWireName(item.get(FAILURE_PHASE).s()) : null,
                item.containsKey(FAILURE_REASON) ? item.get(FAILURE_REASON).s() : null,
                text(item, FAILURE_DETAIL),
                instant(item.get(CREATED_AT)),
                instant(item.get(UPDATED_AT)),
                instant(item.get(COMPLETED_AT)),
                item.containsKey(HLS_STATUS) ? new Job.Hls(HlsStatus.fromWireName(item.get(HLS_STATUS).s()),
                        text(item, MEDIACONVERT_JOB_ID),
                        item.containsKey(HLS_PERCENT) ? Integer.valueOf(item.get(HLS_PERCENT).n()) : null,
                        text(item, HLS_MASTER_KEY), text(item, HLS_ERROR_CODE), text(item, HLS_ERROR_MESSAGE)) : null,
                text(item, OWNER), text(item, TITLE),
                instant(item.get(CHUNKED_AT)),
                instant(item.get(DELETED_AT)),
                text(item, LAST_ERROR),
                text(item, DEAD_LETTER_KEY),
                item.containsKey(WATCHDOG_REPAIRS) ? Integer.parseInt(item.get(WATCHDOG_REPAIRS).n()) : 0,
                instant(item.get(REASSEMBLY_LOCK_EXPIRES_AT)),
                renditions(item),
                text(item, POSTER_KEY),
                text(item, RERENDER_OF),
                item.containsKey(HELD) && Boolean.TRUE.equals(item.get(HELD).bool()),
                preview(item),
                webhook(item),
                hops(item));
    }

    /** The hops that started on the job, in pipeline order. */
    private static List<Timeline.HopTime> hops(Map<String, AttributeValue> item) {
        List<Timeline.HopTime> hops = new ArrayList<>();
        for (Hop hop : Hop.values()) {
            Instant started = instant(item.get(hopStartedAt(hop)));
            Instant finished = instant(item.get(hopFinishedAt(hop)));
            // A finish alone (HLS made by the renditions hop's MediaConvert job, not a packaging run) is no hop run.
            if (started != null) {
                AttributeValue wait = item.get(hopQueueWaitMs(hop));
                hops.add(new Timeline.HopTime(hop, started, finished, wait == null ? null : Long.valueOf(wait.n())));
            }
        }
        return hops;
    }

    private static Job.Preview preview(Map<String, AttributeValue> item) {
        if (!item.containsKey(PREVIEW_ID)) {
            return null;
        }
        Map<Integer, String> clips = new TreeMap<>();
        if (item.containsKey(PREVIEW_CLIPS)) {
            item.get(PREVIEW_CLIPS).m().forEach((index, key) -> clips.put(Integer.valueOf(index), key.s()));
        }
        Params params;
        try {
            params = Params.of((ObjectNode) JSON.readTree(item.get(PREVIEW_PARAMS).s()));
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("job " + item.get(JOB_ID).s() + " has unreadable preview params", e);
        }
        return new Job.Preview(item.get(PREVIEW_ID).s(), params, Integer.parseInt(item.get(PREVIEW_COUNT).n()), clips,
                text(item, PREVIEW_ERROR));
    }

    private static Job.Webhook webhook(Map<String, AttributeValue> item) {
        if (!item.containsKey(WEBHOOK_URL)) {
            return null;
        }
        return new Job.Webhook(item.get(WEBHOOK_URL).s(),
                item.containsKey(WEBHOOK_STATUS) ? WebhookStatus.fromWireName(item.get(WEBHOOK_STATUS).s()) : WebhookStatus.PENDING,
                text(item, WEBHOOK_DELIVERY_ID),
                item.containsKey(WEBHOOK_ATTEMPTS) ? Integer.parseInt(item.get(WEBHOOK_ATTEMPTS).n()) : 0,
                item.containsKey(WEBHOOK_LAST_STATUS_CODE) ? Integer.valueOf(item.get(WEBHOOK_LAST_STATUS_CODE).n()) : null,
                text(item, WEBHOOK_LAST_ERROR),
                instant(item.get(WEBHOOK_DELIVERED_AT)),
                instant(item.get(WEBHOOK_UPDATED_AT)),
                text(item, WEBHOOK_DEAD_LETTER_KEY));
    }

    private static List<Rendition> renditions(Map<String, AttributeValue> item) {
        if (!item.containsKey(RENDITIONS)) {
            return List.of();
        }
        try {
            return List.of(JSON.readValue(item.get(RENDITIONS).s(), Rendition[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job " + item.get(JOB_ID).s() + " has renditions that can't be read", e);
        }
    }

    /** The stored params; a record older than pipelines has its mode alone. */
    private static Params params(Map<String, AttributeValue> item) {
        if (item.containsKey(PARAMS)) {
            try {
                return Params.of((ObjectNode) JSON.readTree(item.get(PARAMS).s()));
            } catch (JsonProcessingException | ClassCastException e) {
                throw new IllegalStateException("job " + item.get(JOB_ID).s() + " has params that are not a JSON object", e);
            }
        }
        ObjectNode legacy = JsonNodeFactory.instance.objectNode();
        if (item.containsKey(MODE)) {
            legacy.put("mode", item.get(MODE).s());
        }
        return Params.of(legacy);
    }

    /** Adds {@code , #aN = :aN} to a SET expression for each attribute, with its name and value placeholders. */
    private static void setAll(Map<String, AttributeValue> attributes, StringBuilder update, Map<String, String> names,
            Map<String, AttributeValue> values) {
        attributes.forEach((name, value) -> {
            String placeholder = "a" + names.size();
            names.put("#" + placeholder, name);
            values.put(":" + placeholder, value);
            update.append(", #").append(placeholder).append(" = :").append(placeholder);
        });
    }

    private static String trim(String reason) {
        String trimmed = reason == null || reason.isBlank() ? "no reason given" : reason.strip();
        return trimmed.length() > MAX_REASON_LENGTH ? trimmed.substring(0, MAX_REASON_LENGTH) + "…" : trimmed;
    }

    /**
     * A failure's detail stripped, null if there is none, and cut to its last characters: a tool's output ends with
     * what went wrong.
     */
    private static String trimDetail(String detail) {
        if (detail == null || detail.isBlank()) {
            return null;
        }
        String stripped = detail.strip();
        return stripped.length() > MAX_DETAIL_LENGTH ? "…" + stripped.substring(stripped.length() - MAX_DETAIL_LENGTH)
                : stripped;
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? item.get(name).s() : null;
    }

    private static Instant instant(AttributeValue value) {
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
