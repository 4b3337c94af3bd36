package io.reelroute.embedded;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A filter in S3Mock's own context that tells a listener about each object S3Mock has just written (a PUT, a
 * copy, or the completion of a multipart upload, answered 200), so the embedded default announces new objects
 * as AWS would, at once, instead of finding them by listing the bucket. Requests are path-style
 * ({@code /bucket/key}). Deliberately without annotations, so the application's component scan never picks it up.
 */
final class S3MockWrites extends HttpFilter {

    private static final Logger LOG = LoggerFactory.getLogger(S3MockWrites.class);

    /** Set once the application can take announcements; writes before that are found by the bridge's listing. */
    private volatile BiConsumer<String, String> listener;

    void listen(BiConsumer<String, String> listener) {
        this.listener = listener;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
        BiConsumer<String, String> current = listener;
        if (current == null || response.getStatus() != HttpServletResponse.SC_OK || !writesAnObject(request)) {
            return;
        }
        // The raw path, decoded as S3 does: '+' is a plus sign in a path, not a space.
        String path = URLDecoder.decode(request.getRequestURI().replace("+", "%2B"), StandardCharsets.UTF_8);
        int slash = path.indexOf('/', 1);
        if (slash < 0 || slash == path.length() - 1) {
            return;
        }
        try {
            current.accept(path.substring(1, slash), path.substring(slash + 1));
        } catch (RuntimeException e) {
            // The listing still finds the object; the S3 client's write succeeded either way.
            LOG.warn("Announcing s3:/{} failed: {}", path, e.toString());
        }
    }

    /** A PUT of a whole object or a copy (not of a part), or the POST that completes a multipart upload. */
    private static boolean writesAnObject(HttpServletRequest request) {
        return switch (request.getMethod()) {
            case "PUT" -> request.getParameter("partNumber") == null && request.getParameter("uploadId") == null
                    && request.getParameter("tagging") == null && request.getParameter("acl") == null
                    && request.getParameter("retention") == null && request.getParameter("legal-hold") == null;
            case "POST" -> request.getParameter("uploadId") != null;
            default -> false;
        };
    }
}
