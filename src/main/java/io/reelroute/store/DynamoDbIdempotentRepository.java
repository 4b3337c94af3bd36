package io.reelroute.store;

import static io.reelroute.contract.Tables.*;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * A Camel {@link IdempotentRepository} on a DynamoDB table keyed by {@code job_id} (ReassemblyTriggered): the
 * first {@link #add} of a key wins through a conditional put, from any number of threads and processes. Items
 * carry a {@code ttl} attribute (epoch seconds) so DynamoDB removes them once they can no longer matter.
 * <p>
 * A claim is {@code pending} until the Idempotent Consumer confirms it after the guarded work (the hand-off)
 * succeeded, and removed if the work failed, so a retry can claim again. A claimant that died between the
 * two leaves a pending claim: it is not reported as a duplicate (that would lose the hand-off for good) but
 * with {@link HandOffInProgress}, so the message that asked comes back later; once the claim is older than
 * the lease, the next {@link #add} takes it over.
 */
public class DynamoDbIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    /** Another claimant holds an unconfirmed claim on the key that is younger than the lease: ask again later. */
    public static class HandOffInProgress extends RuntimeException {
        public HandOffInProgress(String message) {
            super(message);
        }
    }

    static final String PENDING = "pending";
    static final String CONFIRMED = "confirmed";

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbIdempotentRepository.class);

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Duration lease;
    private final Duration timeToLive;
    private final Clock clock;

    public DynamoDbIdempotentRepository(DynamoDbClient dynamoDb, String table, Duration lease, Duration timeToLive) {
        this(dynamoDb, table, lease, timeToLive, Clock.systemUTC());
    }

    DynamoDbIdempotentRepository(DynamoDbClient dynamoDb, String table, Duration lease, Duration timeToLive, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.lease = lease;
        this.timeToLive = timeToLive;
        this.clock = clock;
    }

    /**
     * True if this call claimed the key; false if the key's work is done (confirmed).
     *
     * @throws HandOffInProgress if an unconfirmed claim younger than the lease exists
     */
    @Override
    public boolean add(String key) {
        long now = clock.millis();
        try {
            dynamoDb.putItem(r -> r.tableName(table)
                    .item(Map.of(JOB_ID, s(key), TRIGGER_STATE, s(PENDING), CLAIMED_AT, n(now),
                            TTL, n((now + timeToLive.toMillis()) / 1000)))
                    .conditionExpression("attribute_not_exists(#id) OR (#state = :pending AND #claimed < :stale)")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#state", TRIGGER_STATE, "#claimed", CLAIMED_AT))
                    .expressionAttributeValues(Map.of(":pending", s(PENDING), ":stale", n(now - lease.toMillis()))));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            Map<String, AttributeValue> item = read(key);
            if (item != null && PENDING.equals(item.get(TRIGGER_STATE).s())) {
                throw new HandOffInProgress("the hand-off for " + key + " was claimed "
                        + (now - Long.parseLong(item.get(CLAIMED_AT).n())) + " ms ago and is not confirmed yet");
            }
            // Confirmed; or removed since, which a retry will see.
            return item == null ? add(key) : false;
        }
    }

    @Override
    public boolean contains(String key) {
        return read(key) != null;
    }

    /** Drops a pending claim, so that the key can be claimed again; a confirmed one stays. */
    @Override
    public boolean remove(String key) {
        try {
            dynamoDb.deleteItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(key)))
                    .conditionExpression("#state = :pending")
                    .expressionAttributeNames(Map.of("#state", TRIGGER_STATE))
                    .expressionAttributeValues(Map.of(":pending", s(PENDING))));
            return true;
        } catch (ConditionalCheckFailedException notPending) {
            return false;
        }
    }

    @Override
    public boolean confirm(String key) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(Map.of(JOB_ID, s(key)))
                    .updateExpression("SET #state = :confirmed")
                    .conditionExpression("attribute_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#state", TRIGGER_STATE))
                    .expressionAttributeValues(Map.of(":confirmed", s(CONFIRMED))));
            return true;
        } catch (ConditionalCheckFailedException gone) {
            LOG.warn("Confirmed {} in {}, but its claim is gone", key, table);
            return false;
        }
    }

    /** Not supported: the table is shared by every process, and clearing it would allow repeats. */
    @Override
    public void clear() {
        throw new UnsupportedOperationException("the " + table + " table is never cleared; items expire through ttl");
    }

    private Map<String, AttributeValue> read(String key) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(JOB_ID, s(key)))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
