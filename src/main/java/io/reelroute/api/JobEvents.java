package io.reelroute.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;

/**
 * GET /jobs/{id}/events: server-sent events. The response body is an {@link InputStream} that platform-http
 * copies to the client, flushing after every write; each read waits for the next change of the job.
 * <ul>
 * <li>{@code event: job} carries the job as GET /jobs/{id} shows it, first at once, then whenever its status or
 * progress changes (the job is read every {@code reelroute.api.event-poll});</li>
 * <li>{@code event: end} follows the last state: failed, completed with its HLS package ready or failed, or
 * deleted; then the stream closes;</li>
 * <li>a comment line every {@code reelroute.api.event-heartbeat} keeps proxies from closing an idle stream and
 * lets a gone client be noticed (the write fails and the stream is closed);</li>
 * <li>after {@code reelroute.api.event-stream-max} the stream closes; EventSource clients reconnect by themselves
 * (after the {@code retry} delay the stream announces).</li>
 * </ul>
 * At most {@code reelroute.api.max-streams-per-user} streams of one user are open at once per process, past that
 * the request is answered 429; and at most {@value #MAX_OPEN_STREAMS} of all users (each holds a thread of the
 * HTTP executor, which application.properties sizes for them), past that 503. Both with Retry-After; a client
 * refused a stream polls GET /jobs/{id} instead (the page does).
 */
@Component("jobEvents")
public class JobEvents implements SmartLifecycle {

    static final int MAX_OPEN_STREAMS = 100;
    /** When a refused client may try a stream again; it polls the job meanwhile. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    private final JobApi jobApi;
    private final ObjectMapper mapper;
    private final ReelRouteProperties.Api settings;
    private final AtomicInteger open = new AtomicInteger();
    /** Open streams per user; a user with none has no entry, so the map is no larger than the open streams. */
    private final Map<String, Integer> openPerUser = new ConcurrentHashMap<>();
    private final int maxPerUser;
    private volatile boolean running;

    public JobEvents(JobApi jobApi, ObjectMapper mapper, ReelRouteProperties properties) {
        this.jobApi = jobApi;
        this.mapper = mapper;
        this.settings = properties.api();
        this.maxPerUser = settings.maxStreamsPerUser();
    }

    /** The caller's job's event stream (ownership is checked first, so refusals are plain JSON answers). */
    public InputStream stream(String id, String subject) {
        Job job = jobApi.owned(id, subject);
        if (!takeUserStream(subject)) {
            throw ApiException.tryLater(429, "you have " + maxPerUser + " event streams open, the most a user may"
                    + " (reelroute.api.max-streams-per-user); poll GET /jobs/" + job.jobId() + " instead", RETRY_AFTER);
        }
        if (open.incrementAndGet() > MAX_OPEN_STREAMS) {
            open.decrementAndGet();
            releaseUserStream(subject);
            throw ApiException.tryLater(503, "too many event streams are open; poll GET /jobs/" + job.jobId()
                    + " instead", RETRY_AFTER);
        }
        // The same ownership rule as every read: a job deleted meanwhile is gone.
        Supplier<Optional<Job>> current = () -> {
            try {
                return Optional.of(jobApi.owned(job.jobId(), subject));
            } catch (ApiException gone) {
                return Optional.empty();
            }
        };
        return new EventStream(subject, current, settings.eventPoll(), settings.eventHeartbeat(), settings.eventStreamMax());
    }

    /** One more stream of the user's, unless the user has as many as allowed open. */
    private boolean takeUserStream(String subject) {
        boolean[] taken = {false};
        openPerUser.compute(subject, (user, count) -> {
            int now = count == null ? 0 : count;
            if (now >= maxPerUser) {
                return count;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    private void releaseUserStream(String subject) {
        openPerUser.computeIfPresent(subject, (user, count) -> count <= 1 ? null : count - 1);
    }

    /** Streams end when the application stops (before the web server waits for open requests). */
    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Open streams, for tests and metrics. */
    public int openStreams() {
        return open.get();
    }

    /** Whether nothing more will happen to the job that a watcher waits for. */
    static boolean ended(Job job) {
        return job.status() == JobStatus.FAILED || (job.status() == JobStatus.COMPLETED && job.hls() != null
                && (job.hls().status() == HlsStatus.READY || job.hls().status() == HlsStatus.FAILED));
    }

    private final class EventStream extends InputStream {

        private final String subject;
        private final Supplier<Optional<Job>> current;
        private final long pollMillis;
        private final long heartbeatMillis;
        private final long closeAt;
        private byte[] pending;
        private int offset;
        private String lastSent;
        private long lastWrite;
        private boolean finished;
        private boolean closed;
        private int eventId;

        EventStream(String subject, Supplier<Optional<Job>> current, Duration poll, Duration heartbeat, Duration max) {
            this.subject = subject;
            this.current = current;
            this.pollMillis = Math.max(50, poll.toMillis());
            this.heartbeatMillis = Math.max(pollMillis, heartbeat.toMillis());
            this.closeAt = System.currentTimeMillis() + max.toMillis();
            this.pending = ("retry: " + Math.max(1000, pollMillis) + "\n\n").getBytes(StandardCharsets.UTF_8);
            this.lastWrite = System.currentTimeMillis();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int from, int length) throws IOException {
            while (pending == null || offset >= pending.length) {
                if (finished || closed) {
                    return -1;
                }
                pending = next();
                offset = 0;
            }
            int n = Math.min(length, pending.length - offset);
            System.arraycopy(pending, offset, into, from, n);
            offset += n;
            return n;
        }

        /** Waits for what to send next: a changed job, the end, a heartbeat, or the stream's end of life. */
        private byte[] next() throws IOException {
            boolean first = lastSent == null;
            while (true) {
                if (!first) {
                    try {
                        Thread.sleep(pollMillis);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IOException("event stream interrupted", interrupted);
                    }
                }
                first = false;
                long now = System.currentTimeMillis();
                Optional<Job> job = current.get();
                if (job.isEmpty()) {
                    finished = true;
                    return event("end", Map.of("status", "deleted")).getBytes(StandardCharsets.UTF_8);
                }
                Map<String, Object> view = jobApi.view(job.get());
                String state = fingerprint(view);
                if (!state.equals(lastSent)) {
                    lastSent = state;
                    StringBuilder out = new StringBuilder(event("job", view));
                    if (ended(job.get())) {
                        finished = true;
                        out.append(event("end", Map.of("status", view.get("status"))));
                    }
                    lastWrite = now;
                    return out.toString().getBytes(StandardCharsets.UTF_8);
                }
                if (now >= closeAt || !running) {
                    finished = true;
                    return ": the stream closes; reconnect to go on\n\n".getBytes(StandardCharsets.UTF_8);
                }
                if (now - lastWrite >= heartbeatMillis) {
                    lastWrite = now;
                    return ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
                }
            }
        }

        private String event(String name, Map<String, Object> data) throws JsonProcessingException {
            return "id: " + (++eventId) + "\nevent: " + name + "\ndata: " + mapper.writeValueAsString(data) + "\n\n";
        }

        /** The view without what changes on every read (a fresh presigned URL, the running estimate). */
        private String fingerprint(Map<String, Object> view) throws JsonProcessingException {
            Map<String, Object> stable = new LinkedHashMap<>(view);
            stable.remove("final_url");
            stable.remove("eta_seconds");
            stable.remove("updated_at");
            return mapper.writeValueAsString(stable);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                open.decrementAndGet();
                releaseUserStream(subject);
            }
        }
    }
}
