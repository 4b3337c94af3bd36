package io.reelroute.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Readiness of what every hop needs: the Jobs table, the chunking queue and the input bucket answer (one cheap
 * call each). The verdict is kept for {@value #CACHE_SECONDS} s, so frequent probes don't turn into calls.
 * Part of the readiness group (application.properties), not of liveness: an AWS outage makes a pod unready,
 * it does not get it restarted.
 */
@Component("aws")
public class AwsHealth implements HealthIndicator {

    static final int CACHE_SECONDS = 10;

    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final S3Client s3;
    private final AwsResources resources;
    private final ResourceNames names;
    private final Clock clock = Clock.systemUTC();
    private volatile Health last;
    private volatile Instant lastAt = Instant.EPOCH;

    public AwsHealth(DynamoDbClient dynamoDb, SqsClient sqs, S3Client s3, AwsResources resources) {
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
        this.s3 = s3;
        this.resources = resources;
        this.names = resources.names();
    }

    @Override
    public Health health() {
        Instant now = clock.instant();
        if (last == null || Duration.between(lastAt, now).getSeconds() >= CACHE_SECONDS) {
            last = check();
            lastAt = now;
        }
        return last;
    }

    private Health check() {
        Map<String, Object> details = new LinkedHashMap<>();
        // Each is tried, so the details name every service that is down.
        boolean table = probe(details, "dynamodb", () -> dynamoDb.describeTable(r -> r.tableName(names.jobsTable())));
        boolean queue = probe(details, "sqs", () -> sqs.getQueueAttributes(r -> r
                .queueUrl(resources.queueUrl(names.chunkingQueue())).attributeNamesWithStrings("QueueArn")));
        boolean bucket = probe(details, "s3", () -> s3.headBucket(r -> r.bucket(names.inputBucket())));
        return (table && queue && bucket ? Health.up() : Health.down()).withDetails(details).build();
    }

    private static boolean probe(Map<String, Object> details, String service, Runnable call) {
        try {
            call.run();
            details.put(service, "UP");
            return true;
        } catch (RuntimeException e) {
            details.put(service, "DOWN: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return false;
        }
    }
}
