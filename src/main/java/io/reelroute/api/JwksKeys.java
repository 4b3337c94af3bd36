package io.reelroute.api;

import java.io.IOException;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;

import com.nimbusds.jose.RemoteKeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's signing keys (its JWKS), fetched within limits, since every caller can make the API look for a key:
 * <ul>
 * <li>a connect and a read timeout, and at most {@link #MAX_BYTES} of response;</li>
 * <li>the keys are fetched again after {@link #MAX_AGE} (so a rotation is seen), and when a token names a key id
 * that is not among them, but then at most once per {@link #MIN_REFETCH}: tokens with made-up key ids are
 * refused from the keys at hand instead of each one making a request to the issuer;</li>
 * <li>a failed fetch is not repeated within {@link #MIN_REFETCH} either; the keys fetched before stay in use.</li>
 * </ul>
 */
final class JwksKeys implements JWKSource<SecurityContext> {

    private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_BYTES = 64 * 1024;
    static final Duration MAX_AGE = Duration.ofMinutes(5);
    static final Duration MIN_REFETCH = Duration.ofSeconds(30);

    private final URL url;
    private final DefaultResourceRetriever http;
    private final long minRefetchNanos;

    private JWKSet keys;
    private long fetchedAt;
    private boolean attempted;
    private long attemptedAt;
    private RemoteKeySourceException lastFailure;

    JwksKeys(URL url) {
        this(url, TIMEOUT, MAX_BYTES, MIN_REFETCH);
    }

    JwksKeys(URL url, Duration timeout, int maxBytes, Duration minRefetch) {
        this.url = url;
        this.http = new DefaultResourceRetriever((int) timeout.toMillis(), (int) timeout.toMillis(), maxBytes);
        this.minRefetchNanos = minRefetch.toNanos();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws RemoteKeySourceException {
        List<JWK> found = selector.select(keys(false));
        return found.isEmpty() ? selector.select(keys(true)) : found;
    }

    /** The keys, fetched first if there are none yet, they are old, or one is {@code missing}, as the limits allow. */
    private synchronized JWKSet keys(boolean missing) throws RemoteKeySourceException {
        long now = System.nanoTime();
        boolean wanted = keys == null || missing || now - fetchedAt >= MAX_AGE.toNanos();
        boolean allowed = !attempted || now - attemptedAt >= minRefetchNanos;
        if (wanted && allowed) {
            attempted = true;
            attemptedAt = now;
            try {
                keys = JWKSet.parse(http.retrieveResource(url).getContent());
                fetchedAt = now;
                lastFailure = null;
            } catch (IOException | ParseException e) {
                lastFailure = new RemoteKeySourceException("the keys at " + url + " could not be fetched: " + e.getMessage(), e);
                LOG.warn("{}{}", lastFailure.getMessage(), keys == null ? "" : "; the keys fetched before stay in use");
            }
        }
        if (keys == null) {
            throw lastFailure;
        }
        return keys;
    }
}
