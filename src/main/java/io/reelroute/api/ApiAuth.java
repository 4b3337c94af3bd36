package io.reelroute.api;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.config.RunModeResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Who is calling the API. REST routes call {@link #subject(String)} with the request's Authorization header
 * first; jobs belong to the subject it returns.
 * <p>
 * With authentication off every caller is {@value #LOCAL_SUBJECT}. With it on, callers send
 * {@code Authorization: Bearer <jwt>}: a token signed (RS256 or ES256) by a key from the issuer's JWKS (over https
 * outside the embedded default, fetched within {@link JwksKeys}' limits), with
 * the configured issuer, within its validity period (30 s of clock skew allowed), and for the configured
 * audience: in {@code aud}, or in {@code client_id} for Amazon Cognito access tokens, which carry no
 * {@code aud}. The subject is the token's {@code sub}.
 */
@Component("apiAuth")
public class ApiAuth {

    private static final Logger LOG = LoggerFactory.getLogger(ApiAuth.class);
    public static final String LOCAL_SUBJECT = "local";
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    private static final String BEARER = "bearer ";

    /** The caller is not authenticated; the message says why, in terms a client can act on. */
    public static class Unauthorized extends RuntimeException {
        public Unauthorized(String message) {
            super(message);
        }
    }

    private final NimbusJwtDecoder decoder;

    @Autowired
    public ApiAuth(@Value("${" + RunModeResolver.AUTH_PROPERTY + ":false}") boolean enabled,
            @Value("${" + RunModeResolver.EMBEDDED_PROPERTY + ":false}") boolean embedded, ReelRouteProperties properties) {
        this(enabled, embedded, properties.api().auth().issuer(), properties.api().auth().jwksUri(),
                properties.api().auth().audience());
    }

    /** {@code embedded}: the embedded default, where the keys may come over plain http (a local issuer). */
    ApiAuth(boolean enabled, boolean embedded, String issuer, String jwksUri, String audience) {
        this.decoder = enabled ? decoder(issuer, keysUrl(issuer, jwksUri, embedded), audience) : null;
    }

    /**
     * The caller's subject: {@value #LOCAL_SUBJECT} with authentication off, else the {@code sub} of the bearer
     * token in {@code authorization} (the Authorization header's value, null when absent).
     */
    public String subject(String authorization) {
        if (decoder == null) {
            return LOCAL_SUBJECT;
        }
        Jwt jwt = decode(bearerToken(authorization));
        if (!StringUtils.hasText(jwt.getSubject())) {
            throw new Unauthorized("the token has no subject (sub)");
        }
        return jwt.getSubject();
    }

    /** The token of a {@code Bearer} Authorization header value (the scheme in any case). */
    private static String bearerToken(String header) {
        if (!StringUtils.hasText(header)) {
            throw new Unauthorized("an Authorization header with a bearer token is required");
        }
        header = header.trim();
        if (!header.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            throw new Unauthorized("the Authorization header must use the Bearer scheme");
        }
        String token = header.substring(BEARER.length()).trim();
        if (token.isEmpty()) {
            throw new Unauthorized("the bearer token is empty");
        }
        return token;
    }

    private Jwt decode(String token) {
        try {
            return decoder.decode(token);
        } catch (JwtValidationException e) {
            throw new Unauthorized(e.getErrors().stream().findFirst()
                    .map(OAuth2Error::getDescription).orElse("the token is not valid"));
        } catch (BadJwtException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BadJWSException) {
                throw new Unauthorized("the token's signature is not valid");
            } else if (cause instanceof BadJOSEException) {
                throw new Unauthorized("the token is not signed by a trusted key");
            } else if (cause instanceof ParseException) {
                throw new Unauthorized("the token is malformed");
            }
            throw new Unauthorized("the token is not a valid signed JWT");
        } catch (JwtException e) {
            // The keys could not be fetched or used: not the caller's fault, and worth trying again.
            LOG.warn("Bearer tokens cannot be verified: {}", e.getMessage());
            throw new ApiException(503, "bearer tokens cannot be verified right now (the issuer's keys are unreachable); try again");
        }
    }

    /**
     * The JWKS URL: the setting, or the issuer's well-known path. Keys fetched over plain http could be swapped on
     * the way, so outside the embedded default only https is accepted, and the application does not start.
     */
    private static URL keysUrl(String issuer, String jwksUri, boolean embedded) {
        if (!StringUtils.hasText(issuer)) {
            throw new IllegalStateException("reelroute.api.auth.issuer must be set when API authentication is on"
                    + " (" + RunModeResolver.AUTH_PROPERTY + "=true)");
        }
        boolean given = StringUtils.hasText(jwksUri);
        String keys = given ? jwksUri.trim() : issuer.trim().replaceAll("/+$", "") + "/.well-known/jwks.json";
        String setting = given ? "reelroute.api.auth.jwks-uri" : "reelroute.api.auth.issuer (its /.well-known/jwks.json)";
        URI uri;
        try {
            uri = new URI(keys);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(setting + " is not a URL: " + keys, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(embedded && scheme.equals("http"))) {
            throw new IllegalStateException("The bearer tokens' keys must come over https outside the embedded default,"
                    + " but " + setting + " gives " + keys + ": set an https URL");
        }
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException(setting + " is not a URL: " + keys, e);
        }
    }

    private static NimbusJwtDecoder decoder(String issuer, URL keys, String audience) {
        if (!StringUtils.hasText(audience)) {
            throw new IllegalStateException("reelroute.api.auth.audience must be set when API authentication is on"
                    + " (" + RunModeResolver.AUTH_PROPERTY + "=true)");
        }
        // As NimbusJwtDecoder.withJwkSetUri builds it, but with JwksKeys' limits on fetching the keys; the claims
        // are checked by the validators below.
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
                new JwksKeys(keys)));
        processor.setJWTClaimsSetVerifier((claims, context) -> { });
        NimbusJwtDecoder decoder = new NimbusJwtDecoder(processor);
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                ApiAuth::validPeriod, issuerIs(issuer.trim()), audienceIs(audience.trim())));
        return decoder;
    }

    private static OAuth2TokenValidatorResult validPeriod(Jwt jwt) {
        Instant now = Instant.now();
        if (jwt.getExpiresAt() == null) {
            return invalid("the token has no expiry (exp)");
        }
        if (now.minus(CLOCK_SKEW).isAfter(jwt.getExpiresAt())) {
            return invalid("the token has expired");
        }
        if (jwt.getNotBefore() != null && now.plus(CLOCK_SKEW).isBefore(jwt.getNotBefore())) {
            return invalid("the token is not valid yet");
        }
        return OAuth2TokenValidatorResult.success();
    }

    private static OAuth2TokenValidator<Jwt> issuerIs(String issuer) {
        return jwt -> issuer.equals(jwt.getClaimAsString(JwtClaimNames.ISS))
                ? OAuth2TokenValidatorResult.success()
                : invalid("the token's issuer is not " + issuer);
    }

    private static OAuth2TokenValidator<Jwt> audienceIs(String audience) {
        return jwt -> {
            List<String> aud = jwt.getAudience();
            boolean ok = (aud != null && aud.contains(audience)) || audience.equals(jwt.getClaimAsString("client_id"));
            return ok ? OAuth2TokenValidatorResult.success()
                    : invalid("the token's audience is not " + audience);
        };
    }

    private static OAuth2TokenValidatorResult invalid(String description) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", description, null));
    }
}
