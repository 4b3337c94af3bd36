package io.reelroute.config;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every setting an integration engineer can change, under {@code reelroute.*}. The defaults live in
 * application.properties so that they are visible in one file; docs/settings.md lists them all.
 */
@ConfigurationProperties("reelroute")
public record ReelRouteProperties(
        @DefaultValue("auto") RunMode mode,
        @DefaultValue("reelroute") String prefix,
        /**
         * Further attempts inside a hop after an error that may pass (a transient fault, a model that ran and
         * failed), with exponential backoff and jitter from the first delay (routes/error-policy.camel.yaml).
         */
        @DefaultValue("2") int retries,
        @DefaultValue("2000") long retryDelayMs,
        @DefaultValue Routes routes,
        @DefaultValue Pipelines pipelines,
        @DefaultValue Aws aws,
        @DefaultValue Sqs sqs,
        @DefaultValue Chunking chunking,
        @DefaultValue Media media,
        @DefaultValue Limits limits,
        @DefaultValue Inference inference,
        @DefaultValue Reassembly reassembly,
        @DefaultValue Transcode transcode,
        @DefaultValue Events events,
        @DefaultValue Api api,
        @DefaultValue Watchdog watchdog,
        @DefaultValue Webhooks webhooks,
        @DefaultValue Embedded embedded,
        @DefaultValue Retention retention) {

    public record Routes(
            @DefaultValue("routes") Path dir,
            @DefaultValue("*") String enabled) {
    }

    public record Pipelines(
            /** The pipeline of a job that names none: one started by an upload alone, or by the API without one. */
            @DefaultValue("stereo") String defaultPipeline) {
    }

    public record Aws(
            @DefaultValue("us-east-1") String region,
            /** Any AWS-compatible endpoint (LocalStack, Floci, moto); empty means AWS itself. */
            String endpoint,
            /** The longest an AWS SDK call may take, its retries included (a stuck connection fails, then is retried by the hop). */
            @DefaultValue("2m") Duration apiCallTimeout,
            /** The longest one attempt of a call may take. */
            @DefaultValue("60s") Duration apiCallAttemptTimeout,
            /** Both limits for an S3 call that moves a whole object or part (get, put, upload part, copy). */
            @DefaultValue("1h") Duration transferTimeout) {

        public boolean hasEndpoint() {
            return endpoint != null && !endpoint.isBlank();
        }
    }

    public record Sqs(
            @DefaultValue("20") int waitTimeSeconds,
            @DefaultValue("60") int visibilityTimeoutSeconds,
            /** Deliveries before a message moves to its DLQ (used where ReelRoute provisions queues). */
            @DefaultValue("5") int maxReceiveCount,
            /**
             * The SQS message attributes a consumer turns into Camel headers (SqsAttributeHeaders); none by default,
             * and never one named like Camel's own headers.
             */
            java.util.List<String> messageAttributeHeaders) {
    }

    public record Chunking(
            @DefaultValue("10") int segmentSeconds,
            @DefaultValue("1") int concurrentConsumers) {
    }

    public record Media(
            /** Path of an ffmpeg executable; empty means the one bundled from Maven Central. */
            String ffmpeg,
            /** Path of an ffprobe executable; empty means the one bundled from Maven Central. */
            String ffprobe,
            @DefaultValue("60s") Duration probeTimeout,
            @DefaultValue("30m") Duration splitTimeout,
            /** Where sources and segments pass through on local disk; empty means {@code <java.io.tmpdir>/reelroute}. */
            String workDir,
            /**
             * The ffmpeg demuxers a source (and every file made from it) may be opened with, comma-separated; empty
             * means {@code MediaCommands.DEFAULT_DEMUXERS}. Playlists and concat lists are left out on purpose.
             */
            String demuxers,
            /**
             * Whether ffmpeg, ffprobe and models are started to die with this process (setpriv --pdeathsig KILL), so a
             * process killed by SIGKILL or the OOM killer leaves none running; where setpriv is missing, a warning.
             */
            @DefaultValue("true") boolean dieWithParent,
            /** Files a hop moves between its work folder and S3 at once (segments up, segment outputs down). */
            @DefaultValue("4") int parallelTransfers) {

        public Path workRoot() {
            return workDir == null || workDir.isBlank()
                    ? Path.of(System.getProperty("java.io.tmpdir"), "reelroute") : Path.of(workDir);
        }
    }

    /**
     * What a source may be (SourceLimits checks them): a larger, longer, bigger-framed or faster source, or one that
     * would make more segments, fails its job at once in phase probe, and POST /jobs refuses a declared size over
     * the limit (413).
     */
    public record Limits(
            /** The largest source object (GB here is 1024^3 bytes); checked before the source is downloaded. */
            @DefaultValue("20GB") DataSize maxSourceBytes,
            @DefaultValue("4h") Duration maxDuration,
            /** The widest frame, as shown (a rotated phone clip by its displayed width). */
            @DefaultValue("7680") int maxWidth,
            /** The tallest frame, as shown: with the width's default, 8K passes landscape and portrait. */
            @DefaultValue("7680") int maxHeight,
            /** Frames a second (ffprobe's average); a source whose rate is unknown passes. */
            @DefaultValue("120") double maxFrameRate,
            /** The most segments the split may make of one source (its duration over the job's segment length). */
            @DefaultValue("2000") int maxSegments) {
    }

    public record Inference(
            /** exec, http, sagemaker-async or lambda. */
            @DefaultValue("exec") String backend,
            @DefaultValue("1") int concurrentConsumers,
            @DefaultValue("30m") Duration segmentTimeout,
            /** Whether each segment's model output is checked before it counts as complete (see SegmentCheck). */
            @DefaultValue("true") boolean checkOutput,
            @DefaultValue Exec exec,
            @DefaultValue Http http,
            @DefaultValue SagemakerAsync sagemakerAsync,
            @DefaultValue Lambda lambda) {

        public record Exec(
                /** Command template with {input}, {output}, {mode}, {ffmpeg} and the params; empty means the preview transform. */
                String command,
                /** Per-mode templates that replace {@code command} for that mode (keys sbs, anaglyph). */
                java.util.Map<String, String> commandByMode,
                /** Per-format templates that replace both for that stereo format (keys full-sbs, half-sbs, ...). */
                java.util.Map<String, String> commandByFormat,
                /**
                 * Environment variables the command gets although they are withheld from programs (AWS_*, REELROUTE_*,
                 * SPRING_*): for a model that needs its own AWS access, say. Empty: none.
                 */
                java.util.List<String> keepEnv) {
        }

        public record Http(
                /** Base URL of the model server ({@code /ping} and {@code /invocations} below it). */
                String url,
                @DefaultValue("10s") Duration connectTimeout) {
        }

        public record SagemakerAsync(
                /** Name of the SageMaker asynchronous inference endpoint. */
                String endpointName,
                /** Where request JSON documents are staged, in the output bucket. */
                @DefaultValue("inference-requests/") String requestPrefix,
                /** How often the endpoint's output and failure locations are looked at. */
                @DefaultValue("5s") Duration pollInterval,
                /** SageMaker runtime endpoint; empty means {@code reelroute.aws.endpoint}, then AWS itself. */
                String endpoint) {
        }

        public record Lambda(
                /** Name, ARN or partial ARN of the function (a {@code :qualifier} suffix picks a version or alias). */
                String functionName,
                /** Lambda endpoint; empty means {@code reelroute.aws.endpoint}, then AWS itself. */
                String endpoint) {
        }
    }

    public record Reassembly(
            @DefaultValue("1") int concurrentConsumers,
            /** The reassembly lock's lease, renewed every third of it while the join runs; a crashed holder's lock frees itself after it. */
            @DefaultValue("2m") Duration lockTtl,
            @DefaultValue("20m") Duration concatTimeout,
            /** How long an unconfirmed reassembly trigger blocks another (the hand-off is one queue send). */
            @DefaultValue("60s") Duration triggerLease,
            /** How long ReassemblyTriggered items live (their {@code ttl}). */
            @DefaultValue("7d") Duration triggerTtl,
            @DefaultValue("67108864") long uploadPartBytes,
            /**
             * Where final.mp4's audio comes from: {@code source} (every audio track of the upload, the default) or
             * {@code model} (the segments' outputs, for a model that makes or changes sound).
             */
            @DefaultValue("source") String audioFrom) {

        public Reassembly {
            if (!"source".equals(audioFrom) && !"model".equals(audioFrom)) {
                throw new IllegalArgumentException("reelroute.reassembly.audio-from must be source or model, was " + audioFrom);
            }
        }
    }

    public record Transcode(
            /** local or mediaconvert; auto (the default) is resolved by the run mode (see RunModeResolver). */
            @DefaultValue("auto") String packager,
            @DefaultValue Mediaconvert mediaconvert,
            @DefaultValue Local local) {

        public record Mediaconvert(
                /** IAM role MediaConvert assumes to read final.mp4 and write the HLS output. */
                String roleArn,
                /** Queue ARN; empty means the account's Default queue. */
                String queueArn,
                /** Endpoint override; empty means the regional endpoint (no DescribeEndpoints). */
                String endpoint,
                /** The CreateJob settings template, a JSON file beside the routes. */
                @DefaultValue("routes/mediaconvert-job.json") Path jobTemplate) {
        }

        public record Local(
                @DefaultValue("30m") Duration timeout,
                /** Target HLS segment duration in seconds. */
                @DefaultValue("6") int segmentSeconds) {
        }
    }

    public record Events(
            /** Custom lifecycle events on EventBridge; auto (the default): off on the embedded default, on elsewhere. */
            @DefaultValue("auto") String enabled,
            @DefaultValue("default") String busName,
            @DefaultValue("io.reelroute") String source,
            /** EventBridge endpoint; empty means {@code reelroute.aws.endpoint} in AWS mode, then AWS itself. */
            String endpoint) {
    }

    public record Api(
            /** How long a presigned upload URL stays valid. */
            @DefaultValue("1h") Duration uploadUrlExpiry,
            /** How long a presigned download URL (final.mp4) stays valid. */
            @DefaultValue("1h") Duration downloadUrlExpiry,
            @DefaultValue("200") int maxTitleLength,
            /** Secret that pagination tokens are encrypted with (PageTokens); empty: random per process (tokens then die with it). */
            String pageTokenKey,
            /** How often an event stream (GET /jobs/{id}/events) looks at its job. */
            @DefaultValue("1s") Duration eventPoll,
            /** An event stream sends a comment this often, so idle proxies keep it and a gone client is noticed. */
            @DefaultValue("15s") Duration eventHeartbeat,
            /** An event stream closes after this long; EventSource clients reconnect on their own. */
            @DefaultValue("10m") Duration eventStreamMax,
            /**
             * The largest request body the application takes (RequestBodyLimit): larger is 413 before any route
             * or authentication reads it. Sources never come this way; they go to S3 through presigned URLs.
             */
            @DefaultValue("64KB") DataSize maxBodyBytes,
            /** Unfinished jobs a user may have; creating one more is 429 (UserQuotas). */
            @DefaultValue("20") int maxActiveJobsPerUser,
            /** Jobs a user may create a minute, in bursts of as many (a token bucket per user); more is 429. */
            @DefaultValue("30") int jobCreationRate,
            /** Event streams a user may have open at once; one more is 429 (the page then polls). */
            @DefaultValue("5") int maxStreamsPerUser,
            @DefaultValue Auth auth,
            @DefaultValue Playback playback,
            /**
             * The address the API's port (and the management port) listens on; empty: 127.0.0.1 on the embedded
             * default without authentication, every interface otherwise (RunModeResolver applies it).
             */
            String bindAddress) {

        /**
         * HLS playback of private outputs. With a CloudFront domain, GET /jobs/{id}/playback hands out signed
         * cookies scoped to the job's HLS prefix; without one, the application serves the files under /media.
         */
        public record Playback(
                /** The distribution's domain in front of the output bucket, e.g. d111111abcdef8.cloudfront.net. */
                String cloudfrontDomain,
                /** The public key id in the distribution's trusted key group. */
                String keyPairId,
                /** Path of the PEM private key of that public key. */
                String privateKeyFile,
                /** The Domain attribute of the cookies (e.g. .example.com), so they reach the CloudFront host. */
                String cookieDomain,
                @DefaultValue("1h") Duration cookieExpiry) {
        }

        public record Auth(
                /** JWT bearer tokens; auto (the default): off on the embedded default, on elsewhere. */
                @DefaultValue("auto") String enabled,
                /** The issuer ({@code iss}) tokens must carry, e.g. https://cognito-idp.{region}.amazonaws.com/{pool}. */
                String issuer,
                /** The JWKS URL; empty means {issuer}/.well-known/jwks.json. */
                String jwksUri,
                /** The audience ({@code aud}, or Cognito's {@code client_id}) tokens must carry. */
                String audience) {
        }
    }

    /**
     * The stall watchdog: every {@code interval}, the process holding the lease looks for unfinished jobs whose
     * {@code updated_at} is older than their phase's {@code stallAfter} and repairs them, at most
     * {@code maxRepairs} times before failing them in phase stalled.
     */
    public record Watchdog(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1m") Duration interval,
            /** How long the lease lasts without renewal: another process takes over after it. */
            @DefaultValue("3m") Duration lease,
            @DefaultValue("3") int maxRepairs,
            @DefaultValue StallAfter stallAfter) {

        /** No progress for this long, per phase, counts as stalled. */
        public record StallAfter(
                /** Waiting for the source upload (the upload URL lives reelroute.api.upload-url-expiry). */
                @DefaultValue("2h") Duration created,
                @DefaultValue("45m") Duration chunking,
                /** chunking_complete: segments being inferred (each completion is progress). */
                @DefaultValue("45m") Duration inference,
                @DefaultValue("45m") Duration reassembly,
                /** Completed, HLS submitted or progressing. */
                @DefaultValue("2h") Duration packaging,
                /**
                 * An ended job's webhook still pending without a change (an attempt, a request) for this long: its
                 * request is sent again. Keep it above the longest retry delay.
                 */
                @DefaultValue("1h") Duration webhook,
                /**
                 * A deleted job whose objects are not all removed this long after its deletion (a restart or an S3
                 * error cut the purge short): the watchdog purges it again.
                 */
                @DefaultValue("10m") Duration purge) {

            public Duration of(io.reelroute.contract.JobStatus status) {
                return switch (status) {
                    case CREATED -> created;
                    case CHUNKING_IN_PROGRESS -> chunking;
                    case CHUNKING_COMPLETE -> inference;
                    case REASSEMBLING -> reassembly;
                    case COMPLETED -> packaging;
                    case FAILED -> Duration.ofDays(36500);
                };
            }

            public Duration shortest() {
                return java.util.stream.Stream.of(created, chunking, inference, reassembly, packaging)
                        .min(Duration::compareTo).orElseThrow();
            }
        }
    }

    /**
     * Completion webhooks: a job's final state POSTed to its callback_url, signed with HMAC-SHA256 of
     * {@code secret}, retried with exponential backoff and jitter from {@code retryDelay} (at most
     * {@code maxRetryDelay}, and SQS delays a message 15 minutes at most) up to {@code maxAttempts} attempts.
     */
    public record Webhooks(
            /** The signing secret; empty: on the embedded default one is made and kept in the data folder, elsewhere callback_url is refused. */
            String secret,
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("30s") Duration retryDelay,
            @DefaultValue("15m") Duration maxRetryDelay,
            @DefaultValue("5s") Duration connectTimeout,
            @DefaultValue("10s") Duration requestTimeout,
            @DefaultValue("2048") int maxUrlLength) {
    }

    public record Embedded(
            @DefaultValue("data") Path dataDir,
            @DefaultValue("9090") int s3Port,
            @DefaultValue("9324") int sqsPort,
            @DefaultValue("8000") int dynamodbPort,
            @DefaultValue("inbox") Path inbox,
            @DefaultValue("outbox") Path outbox,
            @DefaultValue("1m") Duration notificationPoll) {
    }

    /**
     * How long a job's objects and records are kept: in Terraform as bucket lifecycle rules and the Jobs table's TTL,
     * on the embedded default by a sweep (S3Mock has no lifecycle rules). Ages count from an object's upload.
     */
    public record Retention(
            /** Sources (input/) and their kept tracks (tracks/): long enough for a job to run and be retried. */
            @DefaultValue("7d") Duration sources,
            /** Segments (segments/): needed until their outputs are joined. */
            @DefaultValue("2d") Duration segments,
            /** Copies of dead-lettered messages (dead-letters/ in the output bucket). */
            @DefaultValue("30d") Duration deadLetters,
            /** Job records, from when the job ended (completed or failed) or was deleted: their expires_at. */
            @DefaultValue("90d") Duration jobRecords,
            /** How often the embedded default's sweep runs. */
            @DefaultValue("1h") Duration sweepEvery) {
    }
}
