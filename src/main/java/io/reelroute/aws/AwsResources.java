package io.reelroute.aws;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Publishes the resource names derived from {@code reelroute.prefix} (the one place they are defined is
 * {@link ResourceNames}) as properties the routes use: {@code reelroute.input-bucket},
 * {@code reelroute.output-bucket}, and {@code reelroute.queue-url.<queue>} for each work queue and DLQ.
 * Queue URLs are looked up once here with GetQueueUrl, so no endpoint lists queues at start.
 */
@Component
public class AwsResources {

    private static final Logger LOG = LoggerFactory.getLogger(AwsResources.class);
    private static final Duration QUEUE_LOOKUP_PATIENCE = Duration.ofSeconds(20);

    private final ResourceNames names;
    private final Map<String, String> queueUrls = new LinkedHashMap<>();

    public AwsResources(ReelRouteProperties properties, SqsClient sqs, ConfigurableEnvironment environment,
            ObjectProvider<ResourceProvisioning> provisioning) {
        this.names = ResourceNames.fromPrefix(properties.prefix());
        provisioning.ifAvailable(p -> p.provision(names));
        Map<String, Object> published = new LinkedHashMap<>();
        published.put("reelroute.input-bucket", names.inputBucket());
        published.put("reelroute.output-bucket", names.outputBucket());
        for (String queue : names.queues()) {
            for (String name : List.of(queue, ResourceNames.dlq(queue))) {
                queueUrls.put(name, queueUrl(sqs, name));
                published.put("reelroute.queue-url." + name.substring(properties.prefix().length() + 1), queueUrls.get(name));
            }
        }
        environment.getPropertySources().addFirst(new MapPropertySource("reelroute-resources", published));
        LOG.info("AWS resources: {}", published);
    }

    public ResourceNames names() {
        return names;
    }

    /** The URL of a queue by its full name, e.g. {@code reelroute-chunking}. */
    public String queueUrl(String queueName) {
        String url = queueUrls.get(queueName);
        if (url == null) {
            throw new IllegalArgumentException("not one of ReelRoute's queues: " + queueName);
        }
        return url;
    }

    /** Right after an emulator restart a queue can be briefly missing, so the lookup waits a little. */
    private static String queueUrl(SqsClient sqs, String queue) {
        long deadline = System.nanoTime() + QUEUE_LOOKUP_PATIENCE.toNanos();
        while (true) {
            try {
                return sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            } catch (QueueDoesNotExistException missing) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("SQS queue '" + queue + "' does not exist. ReelRoute creates no "
                            + "resources on AWS: apply deploy/terraform, or check reelroute.prefix and reelroute.aws.region.",
                            missing);
                }
                sleep();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking up queues", e);
        }
    }
}
