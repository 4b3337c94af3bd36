package io.reelroute.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Pagination tokens: the DynamoDB key where the next page starts, bound to the query it belongs to (status and
 * caller), serialized as JSON and signed with HMAC-SHA256: {@code base64url(payload).base64url(mac)}. A token
 * that was changed, or used for another listing or by another caller, is refused.
 */
public class PageTokens {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final byte[] key;
    private final ObjectMapper mapper;

    /** {@code key} empty or null: a random key, so tokens are valid only in this process. */
    public PageTokens(String key, ObjectMapper mapper) {
        if (key == null || key.isEmpty()) {
            this.key = new byte[32];
            new SecureRandom().nextBytes(this.key);
        } else {
            this.key = key.getBytes(StandardCharsets.UTF_8);
        }
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
            byte[] bytes = mapper.writeValueAsBytes(payload);
            return ENCODER.encodeToString(bytes) + "." + ENCODER.encodeToString(mac(bytes));
        } catch (Exception e) {
            throw new IllegalStateException("cannot write a page token", e);
        }
    }

    /** The start key in {@code token}; throws 400 unless it is genuine and was issued for this status and caller. */
    public Map<String, AttributeValue> open(String token, String status, String owner) {
        int dot = token.indexOf('.');
        Map<String, Object> payload;
        try {
            if (dot < 1) {
                throw new IllegalArgumentException("no signature");
            }
            byte[] bytes = DECODER.decode(token.substring(0, dot));
            byte[] signature = DECODER.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac(bytes), signature)) {
                throw new IllegalArgumentException("bad signature");
            }
            payload = mapper.readValue(bytes, new TypeReference<>() { });
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

    private byte[] mac(byte[] bytes) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(ALGORITHM);
        mac.init(new SecretKeySpec(key, ALGORITHM));
        return mac.doFinal(bytes);
    }
}
