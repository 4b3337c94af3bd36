package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.RemoteKeySourceException;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiAuthTest {

    static final String ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool";
    static final String AUDIENCE = "3n4b5urk1ft4fl3mg5e62d9ado";
    /** The JWKS servers here speak plain http, which only the embedded default accepts. */
    static final boolean EMBEDDED = true;

    static RSAKey rsaKey;
    static ECKey ecKey;
    static RSAKey otherKey;
    static HttpServer jwks;
    static CamelContext camel;
    static ApiAuth auth;

    @BeforeAll
    static void start() throws Exception {
        rsaKey = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ecKey = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("rsa-other").generate();
        byte[] body = new JWKSet(List.<JWK>of(rsaKey, ecKey)).toPublicJWKSet().toString()
                .getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwks.createContext("/.well-known/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        camel = new DefaultCamelContext();
        // Started, as in the application: its messages' headers are then case-insensitive.
        camel.start();
        auth = new ApiAuth(true, EMBEDDED, ISSUER, jwksUri(), AUDIENCE);
    }

    @AfterAll
    static void stop() throws Exception {
        jwks.stop(0);
        camel.close();
    }

    static String jwksUri() {
        return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/.well-known/jwks.json";
    }

    /** Claims of a valid ID-style token; {@code change} adjusts them. */
    static JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("user-123")
                .issueTime(Date.from(now.minusSeconds(60)))
                .expirationTime(Date.from(now.plusSeconds(600)));
        change.accept(claims);
        return claims.build();
    }

    static String signed(JWK key, JWTClaimsSet claims) throws Exception {
        boolean rsa = key instanceof RSAKey;
        JWSSigner signer = rsa ? new RSASSASigner((RSAKey) key) : new ECDSASigner((ECKey) key);
        JWSHeader header = new JWSHeader.Builder(rsa ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256)
                .keyID(key.getKeyID()).type(JOSEObjectType.JWT).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    static String token(Consumer<JWTClaimsSet.Builder> change) throws Exception {
        return signed(rsaKey, claims(change));
    }

    /** What the API routes pass to subject(...) for a request with this header: ${header.Authorization}. */
    static String withHeader(String name, String value) {
        Exchange exchange = new DefaultExchange(camel);
        if (value != null) {
            exchange.getMessage().setHeader(name, value);
        }
        return camel.resolveLanguage("simple").createExpression("${header.Authorization}").evaluate(exchange, String.class);
    }

    static String bearer(String token) {
        return withHeader("Authorization", "Bearer " + token);
    }

    static void rejected(String authorization, String message) {
        assertThatThrownBy(() -> auth.subject(authorization))
                .isInstanceOf(ApiAuth.Unauthorized.class)
                .hasMessageContaining(message);
    }

    @Test
    void validTokenGivesItsSubject() throws Exception {
        assertThat(auth.subject(bearer(token(c -> { })))).isEqualTo("user-123");
    }

    @Test
    void headerNameAndSchemeIgnoreCase() throws Exception {
        assertThat(auth.subject(withHeader("authorization", "bearer " + token(c -> { })))).isEqualTo("user-123");
    }

    @Test
    void es256TokenIsAccepted() throws Exception {
        assertThat(auth.subject(bearer(signed(ecKey, claims(c -> { }))))).isEqualTo("user-123");
    }

    @Test
    void cognitoAccessTokenMatchesOnClientId() throws Exception {
        String token = token(c -> c.audience((String) null)
                .claim("client_id", AUDIENCE).claim("token_use", "access").claim("scope", "aws.cognito.signin.user.admin"));
        assertThat(auth.subject(bearer(token))).isEqualTo("user-123");
    }

    @Test
    void audienceListContainingTheSettingIsAccepted() throws Exception {
        String token = token(c -> c.audience(List.of("another-client", AUDIENCE)));
        assertThat(auth.subject(bearer(token))).isEqualTo("user-123");
    }

    @Test
    void expiryWithinClockSkewIsAccepted() throws Exception {
        String token = token(c -> c.expirationTime(Date.from(Instant.now().minusSeconds(10))));
        assertThat(auth.subject(bearer(token))).isEqualTo("user-123");
    }

    @Test
    void expiredTokenIsRejected() throws Exception {
        rejected(bearer(token(c -> c.issueTime(Date.from(Instant.now().minusSeconds(3900)))
                .expirationTime(Date.from(Instant.now().minusSeconds(300))))), "expired");
    }

    @Test
    void tokenWithoutExpiryIsRejected() throws Exception {
        rejected(bearer(token(c -> c.expirationTime(null))), "no expiry");
    }

    @Test
    void notYetValidTokenIsRejected() throws Exception {
        rejected(bearer(token(c -> c.notBeforeTime(Date.from(Instant.now().plusSeconds(300))))), "not valid yet");
    }

    @Test
    void wrongIssuerIsRejected() throws Exception {
        rejected(bearer(token(c -> c.issuer("https://evil.example.com"))), "issuer is not " + ISSUER);
    }

    @Test
    void wrongAudienceIsRejected() throws Exception {
        rejected(bearer(token(c -> c.audience("another-client"))), "audience is not " + AUDIENCE);
    }

    @Test
    void accessTokenForAnotherClientIsRejected() throws Exception {
        rejected(bearer(token(c -> c.audience((String) null).claim("client_id", "another-client")
                .claim("token_use", "access"))), "audience is not " + AUDIENCE);
    }

    @Test
    void tamperedPayloadIsRejected() throws Exception {
        String[] parts = token(c -> { }).split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims(c -> c.subject("admin")).toString().getBytes(StandardCharsets.UTF_8));
        rejected(bearer(parts[0] + "." + forged + "." + parts[2]), "signature is not valid");
    }

    @Test
    void tokenSignedByUnknownKeyIsRejected() throws Exception {
        rejected(bearer(signed(otherKey, claims(c -> { }))), "not signed by a trusted key");
    }

    @Test
    void unknownKeyWithKnownKeyIdIsRejected() throws Exception {
        RSAKey impostor = new RSAKeyGenerator(2048).keyID(rsaKey.getKeyID()).generate();
        rejected(bearer(signed(impostor, claims(c -> { }))), "signature is not valid");
    }

    @Test
    void unsignedTokenIsRejected() throws Exception {
        rejected(bearer(new PlainJWT(claims(c -> { })).serialize()), "not a valid signed JWT");
    }

    @Test
    void malformedTokenIsRejected() {
        rejected(bearer("not-a-jwt"), "malformed");
    }

    @Test
    void missingHeaderIsRejected() {
        rejected(withHeader("Authorization", null), "Authorization header");
    }

    @Test
    void basicSchemeIsRejected() {
        rejected(withHeader("Authorization", "Basic dXNlcjpwYXNz"), "Bearer scheme");
    }

    @Test
    void tokenWithoutSubjectIsRejected() throws Exception {
        rejected(bearer(token(c -> c.subject(null))), "no subject");
    }

    @Test
    void authOffGivesTheLocalSubjectWhateverTheHeader() {
        ApiAuth off = new ApiAuth(false, EMBEDDED, "", "", "");
        assertThat(off.subject(withHeader("Authorization", null))).isEqualTo("local");
        assertThat(off.subject(withHeader("Authorization", "Bearer garbage"))).isEqualTo("local");
    }

    @Test
    void authOnWithoutIssuerOrAudienceFailsAtStartup() {
        assertThatThrownBy(() -> new ApiAuth(true, EMBEDDED, "", jwksUri(), AUDIENCE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reelroute.api.auth.issuer");
        assertThatThrownBy(() -> new ApiAuth(true, EMBEDDED, ISSUER, jwksUri(), null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reelroute.api.auth.audience");
    }

    @Test
    void unreachableKeysAreATemporaryServerFaultNotTheCallers() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ApiAuth outage = new ApiAuth(true, EMBEDDED, ISSUER, "http://127.0.0.1:" + closedPort + "/.well-known/jwks.json", AUDIENCE);
        assertThatThrownBy(() -> outage.subject(bearer(token(c -> { }))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getStatus()).isEqualTo(503))
                .hasMessageContaining("cannot be verified right now");
    }

    @Test
    void jwksUriDefaultsToTheIssuersWellKnownPath() throws Exception {
        String issuer = "http://127.0.0.1:" + jwks.getAddress().getPort();
        ApiAuth byIssuer = new ApiAuth(true, EMBEDDED, issuer, "", AUDIENCE);
        assertThat(byIssuer.subject(bearer(token(c -> c.issuer(issuer))))).isEqualTo("user-123");
    }

    /** A JWKS server on loopback that counts its fetches; {@code body} is what it answers. */
    static final class KeyServer implements AutoCloseable {
        final HttpServer server;
        final AtomicInteger fetches = new AtomicInteger();
        volatile byte[] body;
        volatile Duration delay = Duration.ZERO;

        KeyServer(JWKSet keys) throws IOException {
            body = keys.toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.createContext("/jwks.json", exchange -> {
                fetches.incrementAndGet();
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] answer = body;
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
        }

        String uri() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void tokensWithMadeUpKeyIdsDoNotMakeEveryRequestFetchTheKeys() throws Exception {
        try (KeyServer keys = new KeyServer(new JWKSet(rsaKey))) {
            ApiAuth counted = new ApiAuth(true, EMBEDDED, ISSUER, keys.uri(), AUDIENCE);
            assertThat(counted.subject(bearer(token(c -> { })))).isEqualTo("user-123");
            assertThat(keys.fetches.get()).isEqualTo(1);
            List<String> forged = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                forged.add(signed(new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate(), claims(c -> { })));
            }
            forged.parallelStream().forEach(token -> assertThatThrownBy(() -> counted.subject(bearer(token)))
                    .isInstanceOf(ApiAuth.Unauthorized.class).hasMessageContaining("not signed by a trusted key"));
            assertThat(counted.subject(bearer(token(c -> { })))).isEqualTo("user-123");
            assertThat(keys.fetches.get()).as("one fetch within %s, however many unknown key ids", JwksKeys.MIN_REFETCH)
                    .isEqualTo(1);
        }
    }

    @Test
    void aNewKeyOfTheIssuerIsFetchedOnceTheIntervalHasPassed() throws Exception {
        try (KeyServer server = new KeyServer(new JWKSet(rsaKey))) {
            JwksKeys keys = new JwksKeys(URI.create(server.uri()).toURL(), Duration.ofSeconds(2), JwksKeys.MAX_BYTES,
                    Duration.ofMillis(500));
            JWKSelector rotated = new JWKSelector(new JWKMatcher.Builder().keyID(otherKey.getKeyID()).build());
            assertThat(keys.get(rotated, null)).isEmpty();
            // The issuer rotates: a token signed with the new key is refused until the interval allows a fetch.
            server.body = new JWKSet(List.<JWK>of(rsaKey, otherKey)).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
            assertThat(keys.get(rotated, null)).isEmpty();
            assertThat(server.fetches.get()).isEqualTo(1);
            Thread.sleep(600);
            assertThat(keys.get(rotated, null)).extracting(JWK::getKeyID).containsExactly(otherKey.getKeyID());
            assertThat(keys.get(rotated, null)).hasSize(1);
            assertThat(server.fetches.get()).isEqualTo(2);
        }
    }

    @Test
    void anOversizedKeySetIsRefused() throws Exception {
        try (KeyServer server = new KeyServer(new JWKSet(rsaKey))) {
            // A valid JWKS, but padded past 64 KiB.
            server.body = ("{\"keys\": [" + rsaKey.toPublicJWK().toJSONString() + "], \"padding\": \""
                    + "x".repeat(JwksKeys.MAX_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
            ApiAuth oversized = new ApiAuth(true, EMBEDDED, ISSUER, server.uri(), AUDIENCE);
            assertThatThrownBy(() -> oversized.subject(bearer(token(c -> { }))))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getStatus()).isEqualTo(503));
            JwksKeys keys = new JwksKeys(URI.create(server.uri()).toURL());
            assertThatThrownBy(() -> keys.get(new JWKSelector(new JWKMatcher.Builder().build()), null))
                    .isInstanceOf(RemoteKeySourceException.class).hasMessageContaining("limit");
        }
    }

    @Test
    void anIssuerThatDoesNotAnswerTimesOut() throws Exception {
        try (KeyServer server = new KeyServer(new JWKSet(rsaKey))) {
            server.delay = Duration.ofSeconds(5);
            JwksKeys keys = new JwksKeys(URI.create(server.uri()).toURL(), Duration.ofMillis(300), JwksKeys.MAX_BYTES,
                    JwksKeys.MIN_REFETCH);
            long started = System.nanoTime();
            assertThatThrownBy(() -> keys.get(new JWKSelector(new JWKMatcher.Builder().build()), null))
                    .isInstanceOf(RemoteKeySourceException.class).hasMessageContaining("timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            // Not asked again at once: the next call fails from what is known.
            assertThatThrownBy(() -> keys.get(new JWKSelector(new JWKMatcher.Builder().build()), null))
                    .isInstanceOf(RemoteKeySourceException.class);
            assertThat(server.fetches.get()).isEqualTo(1);
        }
    }

    @Test
    void keysOverPlainHttpAreRefusedAtStartOutsideTheEmbeddedDefault() {
        assertThatThrownBy(() -> new ApiAuth(true, false, ISSUER, "http://keys.example.com/jwks.json", AUDIENCE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("https").hasMessageContaining("reelroute.api.auth.jwks-uri")
                .hasMessageContaining("http://keys.example.com/jwks.json");
        assertThatThrownBy(() -> new ApiAuth(true, false, "http://issuer.example.com", "", AUDIENCE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reelroute.api.auth.issuer").hasMessageContaining("http://issuer.example.com/.well-known/jwks.json");
        assertThatThrownBy(() -> new ApiAuth(true, false, ISSUER, "file:///etc/jwks.json", AUDIENCE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("https");
        // https is fine (nothing is fetched before the first token).
        new ApiAuth(true, false, ISSUER, "https://keys.example.com/jwks.json", AUDIENCE);
        new ApiAuth(true, false, ISSUER, "", AUDIENCE);
    }
}
