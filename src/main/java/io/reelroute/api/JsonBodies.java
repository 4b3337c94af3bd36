package io.reelroute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reading API request bodies, with 400s that say what is wrong. */
final class JsonBodies {

    private JsonBodies() {
    }

    /** The body as a JSON object; {@code example} shows the caller what one looks like. */
    static JsonNode object(String body, ObjectMapper mapper, String example) {
        JsonNode request;
        try {
            request = body == null || body.isBlank() ? null : mapper.readTree(body);
        } catch (Exception invalid) {
            throw ApiException.badRequest("the request body is not valid JSON");
        }
        if (request == null || !request.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object like " + example);
        }
        return request;
    }

    /** A string field, null when absent, null or empty; 400 when it is there but not a string. */
    static String optionalText(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest(field + " must be a string");
        }
        return value.asText().isEmpty() ? null : value.asText();
    }
}
