package io.reelroute.api;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import io.reelroute.aws.AwsResources;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.OutputKeys;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;
import software.amazon.awssdk.services.cloudfront.cookie.CookiesForCustomPolicy;
import software.amazon.awssdk.services.cloudfront.model.CustomSignerRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Playing a job's HLS package from a private output bucket, where every playlist and segment request must be
 * authorised. With a CloudFront distribution configured ({@code reelroute.api.playback.*}), GET
 * /jobs/{id}/playback hands out CloudFront signed cookies whose custom policy covers exactly
 * {@code https://{domain}/jobs/{id}/hls/*} until they expire. Without one (the embedded default), the
 * application serves the package itself under {@code /media/{job_id}/...}, to the job's owner only.
 */
@Component("hlsPlayback")
public class HlsPlayback {

    /** Relative paths inside a package: plain names, no "..", no empty segments. */
    private static final Pattern PACKAGE_PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
    private static final DateTimeFormatter COOKIE_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** A file of a package: what the /media route writes back. */
    public record MediaFile(InputStream body, String contentType) {
    }

    private final JobApi jobApi;
    private final S3Client s3;
    private final String outputBucket;
    private final ReelRouteProperties.Api.Playback settings;
    private final PrivateKey signingKey;
    private final Clock clock;

    @Autowired
    public HlsPlayback(JobApi jobApi, S3Client s3, AwsResources resources, ReelRouteProperties properties) {
        this(jobApi, s3, resources.names().outputBucket(), properties.api().playback(), Clock.systemUTC());
    }

    HlsPlayback(JobApi jobApi, S3Client s3, String outputBucket, ReelRouteProperties.Api.Playback settings, Clock clock) {
        this.jobApi = jobApi;
        this.s3 = s3;
        this.outputBucket = outputBucket;
        this.settings = settings;
        this.signingKey = StringUtils.hasText(settings.cloudfrontDomain()) ? signingKey(settings) : null;
        this.clock = clock;
    }

    /** GET /jobs/{id}/playback: where the master playlist is, and what a player needs to fetch it. */
    public ApiResponse playback(String id, String subject) {
        Job job = ready(id, subject);
        String packagePath = masterKey(job).substring(OutputKeys.hlsPrefix(job.jobId()).length());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", job.jobId());
        if (signingKey == null) {
            view.put("delivery", "application");
            view.put("url", "/media/" + job.jobId() + "/" + packagePath);
            return new ApiResponse(200, view);
        }
        String base = "https://" + settings.cloudfrontDomain().trim() + "/" + OutputKeys.hlsPrefix(job.jobId());
        Instant expires = clock.instant().plus(settings.cookieExpiry());
        CookiesForCustomPolicy signed = CloudFrontUtilities.create().getCookiesForCustomPolicy(r -> r
                .resourceUrl(base + "*")
                .keyPairId(settings.keyPairId().trim())
                .privateKey(signingKey)
                .expirationDate(expires));
        Map<String, String> cookies = new LinkedHashMap<>();
        List<String> setCookies = new ArrayList<>();
        for (String pair : List.of(signed.policyHeaderValue(), signed.signatureHeaderValue(), signed.keyPairIdHeaderValue())) {
            int equals = pair.indexOf('=');
            cookies.put(pair.substring(0, equals), pair.substring(equals + 1));
            // Scoped to the job's package; SameSite=None so a player on the API's site may send them to CloudFront.
            setCookies.add(pair + "; Path=/" + OutputKeys.hlsPrefix(job.jobId())
                    + (StringUtils.hasText(settings.cookieDomain()) ? "; Domain=" + settings.cookieDomain().trim() : "")
                    + "; Expires=" + COOKIE_DATE.format(expires) + "; Secure; HttpOnly; SameSite=None");
        }
        view.put("delivery", "cloudfront");
        view.put("url", base + packagePath);
        view.put("cookies", cookies);
        view.put("expires_at", expires.toString());
        return new ApiResponse(200, view, setCookies);
    }

    /** GET /media/{job_id}/{path}: one file of the caller's ready package, streamed from the output bucket. */
    public MediaFile media(String requestPath, String subject) {
        String path = requestPath == null ? "" : requestPath.replaceFirst("^/?(media/)?", "");
        int slash = path.indexOf('/');
        if (slash < 0) {
            throw new ApiException(404, "no such media file; expected /media/{job_id}/{file}");
        }
        String file = path.substring(slash + 1);
        if (!PACKAGE_PATH.matcher(file).matches() || file.contains("..")) {
            throw ApiException.badRequest("not a file of an HLS package: " + file);
        }
        Job job = jobApi.owned(path.substring(0, slash), subject);
        if (job.hls() == null || job.hls().status() != HlsStatus.READY) {
            throw new ApiException(404, "job " + job.jobId() + " has no HLS package ready");
        }
        try {
            var object = s3.getObject(r -> r.bucket(outputBucket).key(OutputKeys.hlsPrefix(job.jobId()) + file));
            return new MediaFile(object, contentType(file));
        } catch (NoSuchKeyException absent) {
            throw new ApiException(404, "job " + job.jobId() + " has no " + file);
        }
    }

    private Job ready(String id, String subject) {
        Job job = jobApi.owned(id, subject);
        if (job.hls() == null || job.hls().status() != HlsStatus.READY) {
            throw new ApiException(409, "job " + job.jobId() + " has no HLS package ready yet (status "
                    + job.status().wireName() + ", hls_status " + (job.hls() == null ? "none" : job.hls().status().wireName()) + ")");
        }
        return job;
    }

    /** The master playlist's key, as the packager reported it, if it lies in the job's package. */
    private static String masterKey(Job job) {
        String prefix = OutputKeys.hlsPrefix(job.jobId());
        String reported = job.hls().masterKey();
        return reported != null && reported.startsWith(prefix) ? reported : prefix + "master.m3u8";
    }

    static String contentType(String file) {
        String name = file.toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".m3u8")) {
            return "application/vnd.apple.mpegurl";
        } else if (name.endsWith(".m4s")) {
            return "video/iso.segment";
        } else if (name.endsWith(".ts")) {
            return "video/mp2t";
        } else if (name.endsWith(".mp4") || name.endsWith(".m4v")) {
            return "video/mp4";
        } else if (name.endsWith(".m4a") || name.endsWith(".aac")) {
            return "audio/mp4";
        } else if (name.endsWith(".vtt")) {
            return "text/vtt";
        }
        return "application/octet-stream";
    }

    private static PrivateKey signingKey(ReelRouteProperties.Api.Playback settings) {
        if (!StringUtils.hasText(settings.keyPairId()) || !StringUtils.hasText(settings.privateKeyFile())) {
            throw new IllegalStateException("reelroute.api.playback.key-pair-id and private-key-file must be set"
                    + " with reelroute.api.playback.cloudfront-domain");
        }
        Path file = Path.of(settings.privateKeyFile().trim());
        if (!Files.isReadable(file)) {
            throw new IllegalStateException("reelroute.api.playback.private-key-file " + file + " cannot be read");
        }
        try {
            // The SDK's PEM reader (PKCS#1 or PKCS#8); the request around it is only there to build.
            return CustomSignerRequest.builder().privateKey(file).resourceUrl("https://" + settings.cloudfrontDomain().trim() + "/")
                    .keyPairId(settings.keyPairId().trim()).expirationDate(Instant.EPOCH).build().privateKey();
        } catch (Exception unreadable) {
            throw new IllegalStateException("reelroute.api.playback.private-key-file " + file
                    + " is not a PEM RSA private key: " + unreadable.getMessage(), unreadable);
        }
    }
}
