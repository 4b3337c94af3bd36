package io.reelroute.store;

import static io.reelroute.contract.Tables.*;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

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

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;

    @Autowired
    public JobStore(DynamoDbClient dynamoDb, ReelRouteProperties properties) {
        this(dynamoDb, ResourceNames.fromPrefix(properties.prefix()).jobsTable(), Clock.systemUTC());
    }

    public JobStore(DynamoDbClient dynamoDb, String table, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
    }

    /** Strongly consistent read. */
    public Optional<Job> find(String jobId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(JOB_ID, s(jobId)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toJob(item));
    }

    /** Creates the job in {@code created} unless a record exists; true if this call created it. */
    public boolean createIfAbsent(String jobId, Mode mode) {
        return createIfAbsent(jobId, mode, null, null);
    }

    /** As {@link #createIfAbsent(String, Mode)}, for an API caller: the job belongs to {@code owner}. */
    public boolean createIfAbsent(String jobId, Mode mode, String owner, String title) {
        long now = clock.millis();
        Map<String, AttributeValue> item = new HashMap<>(Map.of(JOB_ID, s(jobId), STATUS, s(JobStatus.CREATED.wireName()),
                MODE, s(mode.id()), CREATED_AT, n(now), UPDATED_AT, n(now)));
        if (owner != null) {
            item.put(OWNER, s(owner));
        }
        if (title != null && !title.isBlank()) {
            item.put(TITLE, s(title));
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

    public Transition startChunking(String jobId) {
        return moveTo(jobId, JobStatus.CHUNKING_IN_PROGRESS, Map.of());
    }

    public Transition chunkingComplete(String jobId, int totalSegments) {
        return moveTo(jobId, JobStatus.CHUNKING_COMPLETE, Map.of(TOTAL_SEGMENTS, n(totalSegments)));
    }

    public Transition startReassembly(String jobId) {
        return moveTo(jobId, JobStatus.REASSEMBLING, Map.of());
    }

    /** Sets {@code completed_at}, the sort key of the completed-jobs index. */
    public Transition complete(String jobId) {
        return moveTo(jobId, JobStatus.COMPLETED, Map.of());
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
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#hls", HLS_STATUS, "#updated", UPDATED_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":submitted", s(HlsStatus.SUBMITTED.wireName()),
                ":now", n(clock.millis())));
        String update = "SET #hls = if_not_exists(#hls, :submitted), #updated = :now";
        if (mediaConvertJobId != null) {
            names.put("#mc", MEDIACONVERT_JOB_ID);
            values.put(":mc", s(mediaConvertJobId));
            update += ", #mc = :mc";
        }
        String expression = update;
        dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(jobId)))
                .updateExpression(expression)
                .conditionExpression("attribute_exists(#id)")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values));
    }

    /** Whether a completed job's HLS package is still to be submitted (no {@code hls_status} yet). */
    public boolean needsPackaging(String jobId) {
        return find(jobId).map(job -> job.status() == JobStatus.COMPLETED && job.hls() == null).orElse(false);
    }

    /** Raises the HLS progress; a late or repeated event with a lower percent changes nothing. */
    public boolean hlsProgress(String jobId, int percent) {
        return moveHls(jobId, HlsStatus.PROGRESSING, Map.of(HLS_PERCENT, n(percent)), percent);
    }

    public boolean hlsReady(String jobId, String masterKey) {
        return moveHls(jobId, HlsStatus.READY, Map.of(HLS_MASTER_KEY, s(masterKey), HLS_PERCENT, n(100)), null);
    }

    public boolean hlsFailed(String jobId, String errorCode, String errorMessage) {
        return moveHls(jobId, HlsStatus.FAILED, Map.of(HLS_ERROR_CODE, s(errorCode == null ? "unknown" : errorCode),
                HLS_ERROR_MESSAGE, s(trim(errorMessage))), null);
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
            return true;
        } catch (ConditionalCheckFailedException behind) {
            return false;
        }
    }

    public Transition fail(String jobId, FailurePhase phase, String reason) {
        return moveTo(jobId, JobStatus.FAILED, Map.of(FAILURE_PHASE, s(phase.wireName()), FAILURE_REASON, s(trim(reason))));
    }

    /**
     * Moves the job to {@code next} if its current status is one of next's predecessors, setting
     * {@code attributes} in the same write. Re-entering the status it already has is reported, not written.
     */
    public Transition moveTo(String jobId, JobStatus next, Map<String, AttributeValue> attributes) {
        Map<String, String> names = new HashMap<>(Map.of("#id", JOB_ID, "#status", STATUS, "#updated", UPDATED_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":next", s(next.wireName()), ":now", n(clock.millis())));
        StringBuilder update = new StringBuilder("SET #status = :next, #updated = :now");
        setAll(attributes, update, names, values);
        if (next == JobStatus.COMPLETED && !attributes.containsKey(COMPLETED_AT)) {
            names.put("#completed", COMPLETED_AT);
            update.append(", #completed = :now");
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
            return new Transition(Outcome.MOVED, next);
        } catch (ConditionalCheckFailedException notAllowed) {
            return find(jobId)
                    .map(job -> new Transition(job.status() == next ? Outcome.ALREADY_THERE : Outcome.REJECTED, job.status()))
                    .orElse(new Transition(Outcome.NO_SUCH_JOB, null));
        }
    }

    private static Job toJob(Map<String, AttributeValue> item) {
        return new Job(
                item.get(JOB_ID).s(),
                JobStatus.fromWireName(item.get(STATUS).s()),
                item.containsKey(MODE) ? Mode.fromId(item.get(MODE).s()) : null,
                item.containsKey(TOTAL_SEGMENTS) ? Integer.valueOf(item.get(TOTAL_SEGMENTS).n()) : null,
                item.containsKey(COMPLETED_SEGMENTS) ? Integer.parseInt(item.get(COMPLETED_SEGMENTS).n()) : 0,
                item.containsKey(FAILURE_PHASE) ? FailurePhase.fromWireName(item.get(FAILURE_PHASE).s()) : null,
                item.containsKey(FAILURE_REASON) ? item.get(FAILURE_REASON).s() : null,
                instant(item.get(CREATED_AT)),
                instant(item.get(UPDATED_AT)),
                instant(item.get(COMPLETED_AT)),
                item.containsKey(HLS_STATUS) ? new Job.Hls(HlsStatus.fromWireName(item.get(HLS_STATUS).s()),
                        text(item, MEDIACONVERT_JOB_ID),
                        item.containsKey(HLS_PERCENT) ? Integer.valueOf(item.get(HLS_PERCENT).n()) : null,
                        text(item, HLS_MASTER_KEY), text(item, HLS_ERROR_CODE), text(item, HLS_ERROR_MESSAGE)) : null,
                text(item, OWNER), text(item, TITLE));
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
