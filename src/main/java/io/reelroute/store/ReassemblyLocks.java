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
 * itself once the expiry passes.
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
