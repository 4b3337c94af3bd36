package io.reelroute.store;

import static io.reelroute.contract.Tables.*;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The reassembly lock, kept on the job's item: an owner and an expiry. Taking it succeeds when nobody holds
 * it, when its holder is this owner, or when it has expired, so a worker that died holding it frees it by
 * itself once the expiry passes. The lease is short and its holder renews it while it works
 * ({@link io.reelroute.reassembly.ReassemblyWork}), so a dead holder delays the job by one lease at most.
 */
@Component
public class ReassemblyLocks {

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;

    @Autowired
    public ReassemblyLocks(DynamoDbClient dynamoDb, ReelRouteProperties properties) {
        this(dynamoDb, ResourceNames.fromPrefix(properties.prefix()).jobsTable(), Clock.systemUTC());
    }

    ReassemblyLocks(DynamoDbClient dynamoDb, String table, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
    }

    /** True if {@code owner} now holds the lock until {@code ttl} from now. */
    public boolean acquire(String jobId, String owner, Duration ttl) {
        long now = clock.millis();
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(Map.of(JOB_ID, AttributeValue.fromS(jobId)))
                    .updateExpression("SET #owner = :owner, #expires = :expires")
                    .conditionExpression("attribute_exists(#id) AND (attribute_not_exists(#owner) OR #owner = :owner OR #expires < :now)")
                    .expressionAttributeNames(Map.of("#id", JOB_ID, "#owner", REASSEMBLY_LOCK_OWNER,
                            "#expires", REASSEMBLY_LOCK_EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner),
                            ":expires", AttributeValue.fromN(Long.toString(now + ttl.toMillis())),
                            ":now", AttributeValue.fromN(Long.toString(now)))));
            return true;
        } catch (ConditionalCheckFailedException held) {
            return false;
        }
    }

    /**
     * Extends {@code owner}'s lock to {@code lease} from now; false when it holds it no more (it expired and another
     * took it, or it was released).
     */
    public boolean renew(String jobId, String owner, Duration lease) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(Map.of(JOB_ID, AttributeValue.fromS(jobId)))
                    .updateExpression("SET #expires = :expires")
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", REASSEMBLY_LOCK_OWNER, "#expires", REASSEMBLY_LOCK_EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner),
                            ":expires", AttributeValue.fromN(Long.toString(clock.millis() + lease.toMillis())))));
            return true;
        } catch (ConditionalCheckFailedException lost) {
            return false;
        }
    }

    /** Releases the lock if {@code owner} still holds it; a lock taken over since is left alone. */
    public void release(String jobId, String owner) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(Map.of(JOB_ID, AttributeValue.fromS(jobId)))
                    .updateExpression("REMOVE #owner, #expires")
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", REASSEMBLY_LOCK_OWNER, "#expires", REASSEMBLY_LOCK_EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner))));
        } catch (ConditionalCheckFailedException notOurs) {
            // expired and taken over, or never taken: nothing of ours to release
        }
    }
}
