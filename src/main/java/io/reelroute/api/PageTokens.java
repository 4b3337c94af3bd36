package io.reelroute.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Pagination tokens: the DynamoDB key where the next page starts (job ids, status, times), with the listing it
 * belongs to (status and caller), as JSON encrypted and authenticated with AES-256-GCM:
 * {@code base64url(nonce || ciphertext and tag)}. A token tells its holder nothing; one that was changed, or is used
 * for another listing or by another caller, is refused (400).
 * <p>
 * The key derives from {@code reelroute.api.page-token-key}; without it a random key per process, so tokens then
 * stop working when the process restarts, and on other pods.
 */
public class PageTokens {

    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Keeps this key apart from any other use of the same setting's value. */
    private static final byte[] PURPOSE = "reelroute page tokens\0".getBytes(StandardCharsets.UTF_8);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper mapper;

    /** {@code key} empty or null: a random key, so tokens are valid only in this process. */
    public PageTokens(String key, ObjectMapper mapper) {
        byte[] material = new byte[32];
        if (key == null || key.isEmpty()) {
            random.nextBytes(material);
        } else {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                sha256.update(PURPOSE);
                material = sha256.digest(key.getBytes(StandardCharsets.UTF_8));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }
        this.key = new SecretKeySpec(material, "AES");
        this.mapper = mapper;
    }

    public String issue(String status, String owner, Map<String, AttributeValue> lastKey) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("status", status);
        payload.put("owner", owner);
        Map<String, Map<String, String>> keyJson = new LinkedHashMap<>();
        lastKey.forEach((name, value) -> keyJson.put(name, value.n() != null ? Map.of("N", value.n()) : Map.of("S", value.s())));
        payload.put("key", keyJson);
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(mapper.writeValueAsBytes(payload));
            return ENCODER.encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (Exception e) {
            throw new IllegalStateException("cannot write a page token", e);
        }
    }

    /** The start key in {@code token}; throws 400 unless it is genuine and was issued for this status and caller. */
    public Map<String, AttributeValue> open(String token, String status, String owner) {
        Map<String, Object> payload;
        try {
            byte[] bytes = DECODER.decode(token);
            if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
                throw new IllegalArgumentException("too short");
            }
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            payload = mapper.readValue(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES),
                    new TypeReference<>() { });
        } catch (Exception invalid) {
            throw ApiException.badRequest("next_token is not a token this API issued");
        }
        if (!status.equals(payload.get("status")) || !owner.equals(payload.get("owner"))) {
            throw ApiException.badRequest("next_token belongs to another listing");
        }
        Map<String, AttributeValue> start = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, String>> keyJson = (Map<String, Map<String, String>>) payload.get("key");
        keyJson.forEach((name, value) -> start.put(name,
                value.containsKey("N") ? AttributeValue.fromN(value.get("N")) : AttributeValue.fromS(value.get("S"))));
        return start;
    }
}
