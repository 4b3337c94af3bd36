package io.reelroute.embedded;

import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.reelroute.aws.ResourceProvisioning;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.Tables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.QueueConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates ReelRoute's buckets, queues (each with its DLQ and a redrive policy) and tables from
 * {@link ResourceNames}, the same definitions {@code deploy/} turns into Terraform. Safe to run on every
 * start: what exists is kept. With {@code s3Notifications}, the input bucket also gets the notification
 * configuration AWS would have (input/ to the chunking queue, segments/ to the video-worker queue), for
 * emulators that deliver notifications themselves (moto, LocalStack).
 */
public class EmbeddedResourceProvisioner implements ResourceProvisioning {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedResourceProvisioner.class);
    private static final String DLQ_RETENTION_SECONDS = Integer.toString(14 * 24 * 3600);
    private static final java.time.Duration INDEX_CREATION_PATIENCE = java.time.Duration.ofMinutes(2);

    private final S3Client s3;
    private final SqsClient sqs;
    private final DynamoDbClient dynamoDb;
    private final int maxReceiveCount;
    private final boolean s3Notifications;

    public EmbeddedResourceProvisioner(S3Client s3, SqsClient sqs, DynamoDbClient dynamoDb, int maxReceiveCount,
            boolean s3Notifications) {
        this.s3 = s3;
        this.sqs = sqs;
        this.dynamoDb = dynamoDb;
        this.maxReceiveCount = maxReceiveCount;
        this.s3Notifications = s3Notifications;
    }

    @Override
    public void provision(ResourceNames names) {
        long started = System.nanoTime();
        names.buckets().forEach(this::bucket);
        names.queues().forEach(this::queueWithDeadLetters);
        List<GlobalSecondaryIndex> jobIndexes = List.of(
                index(Tables.STATUS_COMPLETED_AT_INDEX, Tables.STATUS, Tables.COMPLETED_AT),
                index(Tables.UNFINISHED_OWNER_INDEX, Tables.UNFINISHED_OWNER, Tables.CREATED_AT),
                index(Tables.WATCH_INDEX, Tables.WATCH, Tables.UPDATED_AT));
        List<AttributeDefinition> jobAttributes = List.of(attribute(Tables.JOB_ID, ScalarAttributeType.S),
                attribute(Tables.STATUS, ScalarAttributeType.S), attribute(Tables.COMPLETED_AT, ScalarAttributeType.N),
                attribute(Tables.UNFINISHED_OWNER, ScalarAttributeType.S), attribute(Tables.CREATED_AT, ScalarAttributeType.N),
                attribute(Tables.WATCH, ScalarAttributeType.S), attribute(Tables.UPDATED_AT, ScalarAttributeType.N));
        if (!table(CreateTableRequest.builder().tableName(names.jobsTable())
                .attributeDefinitions(jobAttributes)
                .keySchema(key(Tables.JOB_ID, KeyType.HASH))
                .globalSecondaryIndexes(jobIndexes))) {
            addMissingIndexes(names.jobsTable(), jobAttributes, jobIndexes);
        }
        timeToLive(names.jobsTable(), Tables.EXPIRES_AT);
        table(CreateTableRequest.builder().tableName(names.segmentCompletionsTable())
                .attributeDefinitions(attribute(Tables.JOB_ID, ScalarAttributeType.S),
                        attribute(Tables.SEGMENT_INDEX, ScalarAttributeType.N))
                .keySchema(key(Tables.JOB_ID, KeyType.HASH), key(Tables.SEGMENT_INDEX, KeyType.RANGE)));
        table(CreateTableRequest.builder().tableName(names.reassemblyTriggeredTable())
                .attributeDefinitions(attribute(Tables.JOB_ID, ScalarAttributeType.S))
                .keySchema(key(Tables.JOB_ID, KeyType.HASH)));
        timeToLive(names.reassemblyTriggeredTable(), Tables.TTL);
        if (s3Notifications) {
            notifications(names);
        }
        LOG.info("Provisioned buckets {}, queues {} (with DLQs), tables {} in {} ms", names.buckets(), names.queues(),
                List.of(names.jobsTable(), names.segmentCompletionsTable(), names.reassemblyTriggeredTable()),
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * A table kept from an older version (a data folder of the embedded default) gets the indexes added since, one
     * at a time, as DynamoDB allows; the records written before them are backfilled by JobStore.backfillIndexes.
     */
    private void addMissingIndexes(String table, List<AttributeDefinition> attributes, List<GlobalSecondaryIndex> indexes) {
        List<String> existing = dynamoDb.describeTable(r -> r.tableName(table)).table().globalSecondaryIndexes().stream()
                .map(GlobalSecondaryIndexDescription::indexName).toList();
        for (GlobalSecondaryIndex index : indexes) {
            if (!existing.contains(index.indexName())) {
                LOG.info("Adding index {} to table {}", index.indexName(), table);
                dynamoDb.updateTable(r -> r.tableName(table).attributeDefinitions(attributes)
                        .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName(index.indexName())
                                .keySchema(index.keySchema()).projection(index.projection()))));
                awaitActive(table, index.indexName());
            }
        }
    }

    /** Waits until the index is built: DynamoDB creates one index of a table at a time. */
    private void awaitActive(String table, String index) {
        long deadline = System.nanoTime() + INDEX_CREATION_PATIENCE.toNanos();
        while (dynamoDb.describeTable(r -> r.tableName(table)).table().globalSecondaryIndexes().stream()
                .anyMatch(i -> i.indexName().equals(index) && i.indexStatus() != IndexStatus.ACTIVE)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("index " + index + " of table " + table + " is not built after "
                        + INDEX_CREATION_PATIENCE);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while index " + index + " was built", e);
            }
        }
    }

    /** Turns on TTL on {@code attribute} unless it is on (turning it on twice is an error). */
    private void timeToLive(String table, String attribute) {
        TimeToLiveStatus status = dynamoDb.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription()
                .timeToLiveStatus();
        if (status != TimeToLiveStatus.ENABLED && status != TimeToLiveStatus.ENABLING) {
            dynamoDb.updateTimeToLive(r -> r.tableName(table)
                    .timeToLiveSpecification(t -> t.enabled(true).attributeName(attribute)));
        }
    }

    private void bucket(String name) {
        try {
            s3.createBucket(r -> r.bucket(name));
        } catch (BucketAlreadyOwnedByYouException exists) {
            // kept as it is
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 409) {
                throw e;
            }
        }
    }

    private void queueWithDeadLetters(String name) {
        String dlqUrl = sqs.createQueue(r -> r.queueName(ResourceNames.dlq(name))
                .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, DLQ_RETENTION_SECONDS))).queueUrl();
        String dlqArn = queueArn(dlqUrl);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        String url = sqs.createQueue(r -> r.queueName(name)).queueUrl();
        // Set apart from creation, so that an existing queue is brought in line too.
        sqs.setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY, redrive)));
    }

    private String queueArn(String queueUrl) {
        return sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** True if the table was created by this call. */
    private boolean table(CreateTableRequest.Builder request) {
        try {
            dynamoDb.createTable(request.billingMode(BillingMode.PAY_PER_REQUEST).build());
            return true;
        } catch (ResourceInUseException exists) {
            return false;
        }
    }

    private void notifications(ResourceNames names) {
        s3.putBucketNotificationConfiguration(r -> r.bucket(names.inputBucket()).notificationConfiguration(n -> n
                .queueConfigurations(
                        queueNotification("input-to-chunking", "input/", names.chunkingQueue()),
                        queueNotification("segments-to-video-worker", "segments/", names.videoWorkerQueue()))));
    }

    private QueueConfiguration queueNotification(String id, String prefix, String queue) {
        String arn = queueArn(sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl());
        return QueueConfiguration.builder().id(id).queueArn(arn).events(Event.S3_OBJECT_CREATED)
                // "prefix" in lowercase: AWS takes either case, moto only this one.
                .filter(f -> f.key(k -> k.filterRules(rule -> rule.name("prefix").value(prefix))))
                .build();
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    /** An index of the Jobs table with every attribute projected (its readers return whole jobs). */
    private static GlobalSecondaryIndex index(String name, String partitionKey, String sortKey) {
        return GlobalSecondaryIndex.builder().indexName(name)
                .keySchema(key(partitionKey, KeyType.HASH), key(sortKey, KeyType.RANGE))
                .projection(p -> p.projectionType(ProjectionType.ALL)).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
