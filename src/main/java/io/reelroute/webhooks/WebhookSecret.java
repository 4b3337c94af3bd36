package io.reelroute.webhooks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;

/**
 * The per-deployment secret completion webhooks are signed with ({@code reelroute.webhooks.secret}), and the
 * signature: {@code sha256=} and the hex HMAC-SHA256 of {@code timestamp + "." + body}. Without a setting, the
 * embedded default makes a random secret once and keeps it in {@code {data-dir}/webhook-secret} (readable by its
 * owner only), so it survives restarts and a local receiver can read it; elsewhere there is none, and jobs with a
 * callback_url are refused.
 */
@Component
public class WebhookSecret {

    static final String FILE_NAME = "webhook-secret";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSecret.class);

    private final byte[] secret;

    @Autowired
    public WebhookSecret(ReelRouteProperties properties, @Value("${reelroute.embedded.enabled:false}") boolean embedded) {
        this(properties.webhooks().secret(), embedded ? properties.embedded().dataDir() : null);
    }

    /** @param dataDir where the embedded default keeps a made secret; null off the embedded default */
    public WebhookSecret(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            secret = configured.getBytes(StandardCharsets.UTF_8);
        } else if (dataDir != null) {
            secret = kept(dataDir.resolve(FILE_NAME)).getBytes(StandardCharsets.UTF_8);
        } else {
            secret = null;
        }
    }

    /** Whether webhooks can be signed: a secret is set (or kept, on the embedded default). */
    public boolean present() {
        return secret != null;
    }

    /** {@code sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>}. */
    public String sign(long timestamp, byte[] body) {
        if (secret == null) {
            throw new IllegalStateException("no webhook secret: set reelroute.webhooks.secret");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static String kept(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String made = HexFormat.of().formatHex(random);
            Files.createDirectories(file.getParent());
            Files.writeString(file, made + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // The folder's own permissions then protect it.
            }
            LOG.info("Made a webhook signing secret, kept in {} (set reelroute.webhooks.secret to choose one)", file);
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException("could not keep the webhook secret in " + file, e);
        }
    }
}
