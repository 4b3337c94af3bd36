package io.reelroute.store;

import static io.reelroute.contract.Tables.*;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.SortedSet;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.HopRun;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.Timeline;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The SegmentCompletions table. Recording a completion and counting it on the job is one transaction: the
 * completion item is put only if absent, and the job's {@code completed_segments} goes up by one in the same
 * write, so a redelivered completion never counts twice and the count never needs a query of all completions.
 */
@Component("segmentCompletions")
public class SegmentCompletionStore {

    /** What recording a completion did. */
    public enum Recorded {
        /** First time: the job's count went up by one. */
        COUNTED,
        /** Recorded before (a redelivery): nothing changed. */
        DUPLICATE,
        /** No such job (deleted, or a segment of another deployment): nothing changed. */
        NO_SUCH_JOB
    }

    private final DynamoDbClient dynamoDb;
    private final String completionsTable;
    private final String jobsTable;
    private final Clock clock;

    @Autowired
    public SegmentCompletionStore(DynamoDbClient dynamoDb, ReelRouteProperties properties) {
        this(dynamoDb, ResourceNames.fromPrefix(properties.prefix()), Clock.systemUTC());
    }

    SegmentCompletionStore(DynamoDbClient dynamoDb, ResourceNames names, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.completionsTable = names.segmentCompletionsTable();
        this.jobsTable = names.jobsTable();
        this.clock = clock;
    }

    /** A completion without its inference's timing (a segment recorded by other means than the inference hop). */
    public Recorded record(SegmentKey segment, String outputKey) {
        return record(segment, outputKey, null);
    }

    /**
     * Records the segment's completion with its inference's run (when it started, how long its message waited, how
     * often it was delivered; null for none), kept in the same item, so the timeline costs no request of its own.
     */
    public Recorded record(SegmentKey segment, String outputKey, HopRun inference) {
        String now = Long.toString(clock.millis());
        Map<String, AttributeValue> item = new HashMap<>(Map.of(JOB_ID, AttributeValue.fromS(segment.jobId()),
                SEGMENT_INDEX, AttributeValue.fromN(Integer.toString(segment.index())),
                OUTPUT_KEY, AttributeValue.fromS(outputKey),
                COMPLETED_AT, AttributeValue.fromN(now)));
        if (inference != null) {
            item.put(STARTED_AT, AttributeValue.fromN(Long.toString(inference.startedAt().toEpochMilli())));
            if (inference.queueWait() != null) {
                item.put(QUEUE_WAIT_MS, AttributeValue.fromN(Long.toString(inference.queueWait().toMillis())));
            }
            if (inference.deliveries() != null) {
                item.put(ATTEMPTS, AttributeValue.fromN(Integer.toString(inference.deliveries())));
            }
        }
        Put completion = Put.builder().tableName(completionsTable)
                .item(item)
                .conditionExpression("attribute_not_exists(#id)")
                .expressionAttributeNames(Map.of("#id", JOB_ID))
                .build();
        Update count = Update.builder().tableName(jobsTable)
                .key(Map.of(JOB_ID, AttributeValue.fromS(segment.jobId())))
                .updateExpression("ADD #completed :one SET #updated = :now")
                .conditionExpression("attribute_exists(#id)")
                .expressionAttributeNames(Map.of("#id", JOB_ID, "#completed", COMPLETED_SEGMENTS, "#updated", UPDATED_AT))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"), ":now", AttributeValue.fromN(now)))
                .build();
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(
                    TransactWriteItem.builder().put(completion).build(),
                    TransactWriteItem.builder().update(count).build()));
            return Recorded.COUNTED;
        } catch (TransactionCanceledException cancelled) {
            List<CancellationReason> reasons = cancelled.cancellationReasons();
            if (failedCondition(reasons, 0)) {
                return Recorded.DUPLICATE;
            }
            if (failedCondition(reasons, 1)) {
                return Recorded.NO_SUCH_JOB;
            }
            // A conflict with another transaction on the same job: retryable, like a throttle.
            throw cancelled;
        }
    }

    /** The recorded segment indices of a job, read in full pages with strong consistency. */
    public SortedSet<Integer> completedIndices(String jobId) {
        SortedSet<Integer> indices = new TreeSet<>();
        dynamoDb.queryPaginator(r -> r.tableName(completionsTable).consistentRead(true)
                        .keyConditionExpression("#id = :id")
                        .projectionExpression("#index")
                        .expressionAttributeNames(Map.of("#id", JOB_ID, "#index", SEGMENT_INDEX))
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(jobId))))
                .items().forEach(item -> indices.add(Integer.parseInt(item.get(SEGMENT_INDEX).n())));
        return indices;
    }

    /**
     * A page of the job's segments' inference times, from index {@code from} on, at most {@code limit} of them: one
     * Query of the completions (in index order, reading only the page), strongly consistent like the count.
     */
    public Page<Timeline.SegmentTime> segmentTimes(String jobId, int from, int limit) {
        List<Timeline.SegmentTime> times = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        boolean more;
        do {
            Map<String, AttributeValue> after = start;
            var response = dynamoDb.query(r -> r.tableName(completionsTable).consistentRead(true)
                    .keyConditionExpression("#id = :id AND #index >= :from")
                    .projectionExpression("#index, #started, #completed, #wait, #attempts")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#index", SEGMENT_INDEX, "#started", STARTED_AT,
                            "#completed", COMPLETED_AT, "#wait", QUEUE_WAIT_MS, "#attempts", ATTEMPTS))
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(jobId),
                            ":from", AttributeValue.fromN(Integer.toString(from))))
                    // One more than the page: whether there is a next one.
                    .limit(limit + 1 - times.size())
                    .exclusiveStartKey(after));
            for (Map<String, AttributeValue> item : response.items()) {
                times.add(new Timeline.SegmentTime(Integer.parseInt(item.get(SEGMENT_INDEX).n()), instant(item.get(STARTED_AT)),
                        instant(item.get(COMPLETED_AT)), number(item.get(QUEUE_WAIT_MS)),
                        item.containsKey(ATTEMPTS) ? Integer.valueOf(item.get(ATTEMPTS).n()) : null));
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
            more = start != null && times.size() <= limit;
        } while (more);
        if (times.size() > limit) {
            Integer next = times.get(limit).index();
            return new Page<>(times.subList(0, limit), next);
        }
        return new Page<>(times, null);
    }

    /** A page of items, and the first index of the next page (null after the last). */
    public record Page<T>(List<T> items, Integer next) {
    }

    private static Instant instant(AttributeValue millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis.n()));
    }

    private static Long number(AttributeValue value) {
        return value == null ? null : Long.valueOf(value.n());
    }

    private static boolean failedCondition(List<CancellationReason> reasons, int item) {
        return reasons != null && reasons.size() > item && "ConditionalCheckFailed".equals(reasons.get(item).code());
    }
}
