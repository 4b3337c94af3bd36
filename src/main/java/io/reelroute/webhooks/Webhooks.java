package io.reelroute.webhooks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.api.JobApi;
import io.reelroute.aws.AwsResources;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.InboundMessage;
import io.reelroute.contract.Job;
import io.reelroute.contract.WebhookAttempt;
import io.reelroute.contract.WebhookAttempt.Outcome;
import io.reelroute.contract.WebhookRequest;
import io.reelroute.contract.WebhookStatus;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Completion webhooks (routes/platform/webhooks.camel.yaml, routes/kit/deliver-webhook.camel.yaml): when a job with
 * a callback_url ends, {@link #request} makes the request message; {@link #deliver} makes one attempt: it POSTs the
 * job as GET /jobs/{id} shows it, signed, and records the attempt on the job; {@link #nextAttempt} and
 * {@link #deadLetter} are what the hop does after an attempt that may work later, or after the last one.
 */
@Component("webhooks")
public class Webhooks {

    public static final String SIGNATURE = "X-ReelRoute-Signature";
    public static final String TIMESTAMP = "X-ReelRoute-Timestamp";
    public static final String DELIVERY = "X-ReelRoute-Delivery";
    public static final String ATTEMPT = "X-ReelRoute-Attempt";
    public static final String EVENT = "X-ReelRoute-Event";
    public static final String USER_AGENT = "ReelRoute-Webhooks";
    /** SQS delays a message 15 minutes at most. */
    static final int MAX_DELAY_SECONDS = 900;
    private static final int MAX_ERROR_BODY = 200;

    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);

    private final JobStore jobs;
    private final Function<Job, Map<String, Object>> view;
    private final WebhookSecret secret;
    private final S3Client s3;
    private final String outputBucket;
    private final ObjectMapper mapper;
    private final ReelRouteProperties.Webhooks settings;
    private final HttpClient http;
    private final Clock clock;

    @Autowired
    public Webhooks(JobStore jobs, JobApi api, WebhookSecret secret, S3Client s3, AwsResources resources,
            ObjectMapper mapper, ReelRouteProperties properties) {
        this(jobs, api::view, secret, s3, resources.names().outputBucket(), mapper, properties.webhooks(), Clock.systemUTC());
    }

    /** @param view the job as the API shows it (JobApi.view): the POST body */
    public Webhooks(JobStore jobs, Function<Job, Map<String, Object>> view, WebhookSecret secret, S3Client s3, String outputBucket,
            ObjectMapper mapper, ReelRouteProperties.Webhooks settings, Clock clock) {
        this.jobs = jobs;
        this.view = view;
        this.secret = secret;
        this.s3 = s3;
        this.outputBucket = outputBucket;
        this.mapper = mapper;
        this.settings = settings;
        this.clock = clock;
        // Redirects are not followed: the receiver is the URL the job was created with, nothing it points to.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout())
                .build();
    }

    /**
     * The request message for the job's webhook, now that the job has ended; null when there is nothing to deliver
     * (no callback_url, the delivery already ended, the job is not there or has not ended). A repeated request names
     * the same delivery and continues its attempts.
     */
    public String request(String jobId) throws JsonProcessingException {
        Optional<Job> requested = jobs.webhookRequested(jobId, UUID.randomUUID().toString());
        if (requested.isEmpty() || !requested.get().status().isTerminal()) {
            return null;
        }
        Job.Webhook webhook = requested.get().webhook();
        return new WebhookRequest(jobId, webhook.deliveryId(), webhook.attempts() + 1).message(mapper);
    }

    /** The webhook request a transcode-events message carries; null for any other message. */
    public WebhookRequest requested(InboundMessage inbound) {
        return WebhookRequest.of(inbound);
    }

    /** One attempt: the signed POST of the job's final state, recorded on the job. */
    public WebhookAttempt deliver(WebhookRequest request) throws JsonProcessingException {
        Job job = jobs.find(request.jobId()).orElse(null);
        String stale = staleness(job, request);
        if (stale != null) {
            LOG.debug("Job {}: webhook attempt {} not made: {}", request.jobId(), request.attempt(), stale);
            return new WebhookAttempt(Outcome.SKIPPED, request, null, stale, 0);
        }
        if (request.attempt() <= job.webhook().attempts()) {
            // This attempt was made, but the next was not sent (the process stopped between): send it now.
            return undecided(job, request);
        }
        byte[] body = body(job);
        long timestamp = clock.instant().getEpochSecond();
        Integer status = null;
        String error;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(job.webhook().url()))
                    .timeout(settings.requestTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", USER_AGENT)
                    .header(TIMESTAMP, Long.toString(timestamp))
                    .header(SIGNATURE, secret.sign(timestamp, body))
                    .header(DELIVERY, request.deliveryId())
                    .header(ATTEMPT, Integer.toString(request.attempt()))
                    .header(EVENT, "job." + job.status().wireName())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            error = status / 100 == 2 ? null : "answered " + status + answer(response.body());
        } catch (HttpTimeoutException timeout) {
            error = "no answer within " + settings.requestTimeout().toSeconds() + " s";
        } catch (IOException unreachable) {
            error = unreachable.getClass().getSimpleName() + (unreachable.getMessage() == null ? "" : ": " + unreachable.getMessage());
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped while delivering the webhook of job " + request.jobId(), stopping);
        }
        Outcome outcome = outcome(status, request.attempt());
        WebhookStatus next = switch (outcome) {
            case DELIVERED -> WebhookStatus.DELIVERED;
            case FAILED -> WebhookStatus.FAILED;
            default -> WebhookStatus.PENDING;
        };
        if (outcome == Outcome.FAILED && refused(status)) {
            error = error + " (refused: not retried)";
        } else if (outcome == Outcome.FAILED) {
            error = error + " (gave up after " + request.attempt() + " attempts)";
        }
        if (!jobs.recordWebhookAttempt(request.jobId(), request.deliveryId(), request.attempt(), next, status, error)) {
            // Another copy of this message recorded it first; it decides what follows.
            return new WebhookAttempt(Outcome.SKIPPED, request, status, "attempt " + request.attempt() + " was recorded by another", 0);
        }
        return new WebhookAttempt(outcome, request, status, error, outcome == Outcome.RETRY ? delaySeconds(request.attempt()) : 0);
    }

    /** The message of the next attempt of a delivery that may work later. */
    public String nextAttempt(WebhookAttempt attempt) throws JsonProcessingException {
        return attempt.request().next().message(mapper);
    }

    /**
     * Keeps a failed delivery where an operator finds it, as the DLQ hop keeps dead letters: a copy under
     * {@code dead-letters/webhooks/{job_id}/{delivery_id}.json} in the output bucket (the URL, the attempts, the last
     * error and the body it would have POSTed), its key on the job. Returns the key.
     */
    public String deadLetter(WebhookAttempt attempt) throws IOException {
        WebhookRequest request = attempt.request();
        String key = "dead-letters/webhooks/" + request.jobId() + "/" + request.deliveryId() + ".json";
        Job job = jobs.find(request.jobId()).orElseThrow(() -> new IllegalStateException("job " + request.jobId() + " is gone"));
        Map<String, Object> copy = new LinkedHashMap<>();
        copy.put("job_id", request.jobId());
        copy.put("delivery_id", request.deliveryId());
        copy.put("url", job.webhook().url());
        copy.put("attempts", request.attempt());
        copy.put("last_status_code", attempt.statusCode());
        copy.put("last_error", attempt.error());
        copy.put("dead_lettered_at", clock.instant().toString());
        copy.put("body", mapper.readTree(body(job)));
        s3.putObject(r -> r.bucket(outputBucket).key(key).contentType("application/json"),
                RequestBody.fromBytes(mapper.writeValueAsBytes(copy)));
        jobs.recordWebhookDeadLetter(request.jobId(), key);
        return key;
    }

    /** Why no attempt is made for this request; null if one is due. */
    private static String staleness(Job job, WebhookRequest request) {
        if (job == null) {
            return "the job is gone";
        }
        if (job.webhook() == null) {
            return "the job has no callback_url";
        }
        if (!job.status().isTerminal()) {
            return "the job has not ended (it is " + job.status().wireName() + ")";
        }
        if (job.webhook().status().isFinal()) {
            return "the delivery is " + job.webhook().status().wireName() + " already";
        }
        if (!request.deliveryId().equals(job.webhook().deliveryId())) {
            return "delivery " + request.deliveryId() + " is not the job's current one";
        }
        if (request.attempt() < job.webhook().attempts()) {
            return "attempt " + job.webhook().attempts() + " was made since";
        }
        return null;
    }

    /** The attempt recorded on the job as it was, so that its successor is sent. */
    private WebhookAttempt undecided(Job job, WebhookRequest request) {
        Outcome outcome = request.attempt() >= settings.maxAttempts() ? Outcome.FAILED : Outcome.RETRY;
        return new WebhookAttempt(outcome, request, job.webhook().lastStatusCode(), job.webhook().lastError(),
                outcome == Outcome.RETRY ? delaySeconds(request.attempt()) : 0);
    }

    /** 2xx delivered; a refusal fails at once; anything else is retried until the last attempt. */
    Outcome outcome(Integer status, int attempt) {
        if (status != null && status / 100 == 2) {
            return Outcome.DELIVERED;
        }
        if (refused(status) || attempt >= settings.maxAttempts()) {
            return Outcome.FAILED;
        }
        return Outcome.RETRY;
    }

    /** A redirect (not followed) or a 4xx other than 408 and 429: the receiver refused it; trying again won't help. */
    static boolean refused(Integer status) {
        return status != null && ((status / 100 == 3) || (status / 100 == 4 && status != 408 && status != 429));
    }

    /**
     * Before the attempt after {@code attempt}: the retry delay doubled per attempt made, at most the max delay, with
     * jitter (between half and all of it), so that a receiver that was down is not hit by every delivery at once.
     * Whole seconds, as SQS delays messages.
     */
    int delaySeconds(int attempt) {
        long full = settings.retryDelay().toMillis() << Math.min(20, attempt - 1);
        long capped = Math.min(full, Math.min(settings.maxRetryDelay().toMillis(), Duration.ofSeconds(MAX_DELAY_SECONDS).toMillis()));
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        return (int) Math.min(MAX_DELAY_SECONDS, (jittered + 999) / 1000);
    }

    /** The POST body: the job as GET /jobs/{id} shows it, without its own webhook delivery state. */
    private byte[] body(Job job) throws JsonProcessingException {
        Map<String, Object> shown = new LinkedHashMap<>(view.apply(job));
        shown.remove("webhook");
        return mapper.writeValueAsString(shown).getBytes(StandardCharsets.UTF_8);
    }

    private static String answer(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String line = body.strip().replaceAll("\\s+", " ");
        return ": " + (line.length() > MAX_ERROR_BODY ? line.substring(0, MAX_ERROR_BODY) + "…" : line);
    }
}
