package io.reelroute.inference;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;

/**
 * {@code http}: the model server contract of SageMaker-style inference containers. {@code GET /ping} says
 * whether the server is ready; {@code POST /invocations} with {@code {"s3_input_uri", "s3_output_uri", "mode",
 * "params"}} runs the model, which reads the input from S3 and writes the output there itself. A 4xx answer
 * refuses the request (the job fails at once); 429, 503 and unreachable servers are busy or starting (retried,
 * then left for SQS to deliver again); other errors and timeouts are model failures (retried, then the job
 * fails).
 * <p>
 * The ping is asked only when it matters: before the first invocation, and again after the server could not be
 * reached (it may be starting again), never while an invocation of this process is running. A server with one
 * worker (gunicorn's default, as in stereo-spot's container) answers nothing else while it runs a model, so a
 * ping before every call would call a busy model unavailable; an invocation sent to it meanwhile waits in its
 * queue, within the segment timeout.
 */
@Component
public class HttpInference implements InferenceBackend {

    /** The server is starting, busy or unreachable: nothing is wrong with the segment. */
    public static class ModelServerUnavailable extends RuntimeException {
        public ModelServerUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final int BODY_TAIL = 500;

    private final ReelRouteProperties.Inference.Http settings;
    private final ObjectMapper mapper;
    private final HttpClient client;
    /** Whether the server answered since it was last unreachable: then no ping is needed. */
    private final AtomicBoolean serverAnswered = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();

    public HttpInference(ReelRouteProperties properties, ObjectMapper mapper) {
        this.settings = properties.inference().http();
        this.mapper = mapper;
        this.client = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public boolean worksInS3() {
        return true;
    }

    @Override
    public void infer(SegmentWork work) {
        URI base = base();
        if (!serverAnswered.get() && running.get() == 0) {
            ping(base);
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(base.resolve("invocations"))
                    .timeout(work.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(work.request())))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpResponse<String> response;
        running.incrementAndGet();
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new InferenceFailure(work.describe() + ": the model server gave no answer within "
                    + work.timeout().toSeconds() + " s", e);
        } catch (IOException e) {
            serverAnswered.set(false);
            throw new ModelServerUnavailable(work.describe() + ": model server " + base + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelServerUnavailable("interrupted", e);
        } finally {
            running.decrementAndGet();
        }
        serverAnswered.set(true);
        int status = response.statusCode();
        String body = tail(response.body());
        if (status / 100 == 2) {
            return;
        }
        if (status == 429 || status == 503) {
            throw new ModelServerUnavailable(work.describe() + ": model server busy (" + status + "): " + body, null);
        }
        if (status / 100 == 4) {
            throw new PermanentJobFailure(FailurePhase.INFERENCE,
                    work.describe() + ": the model server refused the request (" + status + "): " + body);
        }
        throw new InferenceFailure(work.describe() + ": the model server failed (" + status + "): " + body);
    }

    private void ping(URI base) {
        try {
            HttpResponse<Void> ping = client.send(HttpRequest.newBuilder(base.resolve("ping"))
                    .timeout(settings.connectTimeout()).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (ping.statusCode() != 200) {
                throw new ModelServerUnavailable("model server " + base + " is not ready (GET /ping: "
                        + ping.statusCode() + ")", null);
            }
            serverAnswered.set(true);
        } catch (HttpTimeoutException e) {
            throw new ModelServerUnavailable("model server " + base + " did not answer GET /ping within "
                    + settings.connectTimeout().toSeconds() + " s (starting, or busy with another caller's model run)", e);
        } catch (IOException e) {
            throw new ModelServerUnavailable("model server " + base + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelServerUnavailable("interrupted", e);
        }
    }

    private URI base() {
        String url = settings.url();
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("reelroute.inference.backend=http needs reelroute.inference.http.url "
                    + "(the model server's base URL, e.g. http://127.0.0.1:8081)");
        }
        return URI.create(url.endsWith("/") ? url : url + "/");
    }

    private static String tail(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() <= BODY_TAIL ? text : "…" + text.substring(text.length() - BODY_TAIL);
    }
}
