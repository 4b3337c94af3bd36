package io.reelroute.contract;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A job's params: the JSON object its pipeline's schema validated, with the schema's defaults filled in, as the
 * Jobs table holds it ({@code params}, a JSON string). Every hop reads its settings from here, by name.
 * Immutable: the object is copied in and out.
 */
public final class Params {

    private static final Params EMPTY = new Params(JsonNodeFactory.instance.objectNode());

    private final ObjectNode json;

    private Params(ObjectNode json) {
        this.json = json;
    }

    public static Params of(ObjectNode json) {
        return new Params(json.deepCopy());
    }

    public static Params empty() {
        return EMPTY;
    }

    /** A copy of the object, for JSON views. */
    public ObjectNode json() {
        return json.deepCopy();
    }

    /** The value of a text param, or null when the job has none. */
    public String text(String name) {
        JsonNode value = json.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** The value of a number param, or null when the job has none. */
    public Number number(String name) {
        JsonNode value = json.get(name);
        return value == null || !value.isNumber() ? null : value.numberValue();
    }

    /** The whole numbers of an array param, or an empty list when the job has none. */
    public List<Integer> integers(String name) {
        List<Integer> values = new ArrayList<>();
        json.path(name).forEach(value -> values.add(value.asInt()));
        return values;
    }

    /**
     * The two-valued stereo mode (the segment keys name it, models written before formats read it): the
     * {@code format}'s, or an old job's {@code mode}; null for a job of a pipeline without either.
     */
    public Mode mode() {
        String format = text("format");
        if (format != null) {
            return StereoFormat.fromId(format).mode();
        }
        String mode = text("mode");
        return mode == null ? null : Mode.fromId(mode);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Params params && params.json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    /** The JSON text, as stored. */
    @Override
    public String toString() {
        return json.toString();
    }
}
