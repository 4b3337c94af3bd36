package io.reelroute.embedded;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.reelroute.aws.AwsResources;
import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3Mock sends no event notifications, so on the embedded default this bean makes, for each new object of the
 * input bucket, the S3 {@code ObjectCreated} notification AWS would send to the queue AWS would send it to:
 * {@code input/} to the chunking queue, {@code segments/} to the video-worker queue. S3Mock tells it about each
 * write as it happens ({@link EmbeddedAws#onObjectWritten}); a slow listing of the bucket finds what was
 * written while nothing listened (before the start, or a write whose announcement was lost). The
 * {@code embedded-s3-notifications} routes send each once per object version (bucket, key and ETag), across
 * restarts.
 */
public class S3NotificationBridge {

    /** One notification: its identity for the idempotent consumer, where it goes, and its body. */
    public record Notification(String id, String queueName, String queueUrl, String body) {
    }

    private final S3Client s3;
    private final ObjectMapper mapper;
    private final String bucket;
    private final String region;
    /** Key prefix to the queue its objects' notifications go to, as the input bucket's notification configuration. */
    private final Map<String, String> queueByPrefix;
    private final AwsResources resources;

    public S3NotificationBridge(S3Client s3, ObjectMapper mapper, AwsResources resources, String region) {
        ResourceNames names = resources.names();
        this.s3 = s3;
        this.mapper = mapper;
        this.resources = resources;
        this.bucket = names.inputBucket();
        this.region = region;
        this.queueByPrefix = Map.of("input/", names.chunkingQueue(), "segments/", names.videoWorkerQueue());
    }

    /** Every object under the notified prefixes, as a notification; the route drops those already sent. */
    public List<Notification> currentObjects() {
        List<Notification> notifications = new ArrayList<>();
        queueByPrefix.forEach((prefix, queue) -> s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix))
                .contents()
                .forEach(object -> notifications.add(notification(queue, object))));
        return notifications;
    }

    /** Whether an object just written in {@code bucket} is one whose creation AWS would announce. */
    public boolean announces(String bucket, String key) {
        return this.bucket.equals(bucket) && queueByPrefix.keySet().stream().anyMatch(key::startsWith);
    }

    /**
     * The notification of the object just written at {@code key}, or none if it is not under a notified prefix or
     * is gone already (deleted right after it was written: AWS would announce it, but no hop could read it).
     */
    public List<Notification> written(String key) {
        for (Map.Entry<String, String> route : queueByPrefix.entrySet()) {
            if (key.startsWith(route.getKey())) {
                try {
                    HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key));
                    return List.of(notification(route.getValue(), S3Object.builder().key(key).size(head.contentLength())
                            .eTag(head.eTag()).lastModified(head.lastModified()).build()));
                } catch (NoSuchKeyException gone) {
                    return List.of();
                }
            }
        }
        return List.of();
    }

    private Notification notification(String queue, S3Object object) {
        return new Notification(bucket + "/" + object.key() + "/" + object.eTag(), queue, resources.queueUrl(queue), body(object));
    }

    private String body(S3Object object) {
        ObjectNode record = mapper.createObjectNode()
                .put("eventVersion", "2.1")
                .put("eventSource", "aws:s3")
                .put("awsRegion", region)
                .put("eventTime", object.lastModified().toString())
                .put("eventName", "ObjectCreated:Put");
        record.putObject("userIdentity").put("principalId", "reelroute-embedded");
        record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        record.putObject("responseElements");
        ObjectNode s3Node = record.putObject("s3").put("s3SchemaVersion", "1.0").put("configurationId", "reelroute-embedded");
        s3Node.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket)
                .putObject("ownerIdentity").put("principalId", "reelroute-embedded");
        s3Node.putObject("object")
                // As AWS does: form-URL-encoded (a space is '+'), with '/' left as it is.
                .put("key", URLEncoder.encode(object.key(), StandardCharsets.UTF_8).replace("%2F", "/"))
                .put("size", object.size())
                .put("eTag", object.eTag().replace("\"", ""))
                .put("sequencer", Long.toHexString(object.lastModified().toEpochMilli()).toUpperCase());
        ObjectNode root = mapper.createObjectNode();
        root.putArray("Records").add(record);
        return root.toString();
    }
}
