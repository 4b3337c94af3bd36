package io.reelroute.pipelines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.Params;
import io.reelroute.contract.Quote;

/**
 * The pipelines this deployment runs: one per {@code {name}.params.schema.json} beside its routes, a JSON Schema
 * (draft 2020-12) of the params a job of that pipeline takes. A job names its pipeline and params when it is
 * created; {@link #resolve} checks both and fills in the schema's defaults, so what is stored on the job is
 * complete and valid. A job started without the API gets the default pipeline
 * ({@code reelroute.pipelines.default}) with its defaults.
 */
@Component("pipelines")
public class Pipelines {

    static final String SCHEMA_SUFFIX = ".params.schema.json";
    private static final String ENUM_SETTING = "x-reelroute-enum-setting";
    private static final String DEFAULT_SETTING = "x-reelroute-default-setting";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    /**
     * A pipeline: its name, what its schema says of it, the schema, and the folder its schema lies in (where its
     * other files are, such as a MediaConvert job template).
     */
    public record Pipeline(String name, String title, String description, JsonNode schema, Schema validator, Path folder) {

        /** A file of the pipeline beside its schema: {@code {folder}/{name}{suffix}}. */
        public Path file(String suffix) {
            return folder.resolve(name + suffix);
        }
    }

    private final Map<String, Pipeline> pipelines;
    private final String defaultPipeline;

    @Autowired
    public Pipelines(ReelRouteProperties properties, ObjectMapper mapper, Environment environment) {
        this(properties.routes().dir(), properties.pipelines().defaultPipeline(), mapper, environment::getProperty);
    }

    /** With the settings of application.properties, as a process without other settings has them. */
    public Pipelines(Path routesDir, String defaultPipeline, ObjectMapper mapper) {
        this(routesDir, defaultPipeline, mapper, DefaultSettings.INSTANCE::getProperty);
    }

    /**
     * @param settings the deployment's settings by name (null where unset), for the lists and defaults a schema
     *        takes from them
     */
    public Pipelines(Path routesDir, String defaultPipeline, ObjectMapper mapper, UnaryOperator<String> settings) {
        this.pipelines = load(routesDir, mapper, settings);
        if (!pipelines.containsKey(defaultPipeline)) {
            throw new IllegalStateException("reelroute.pipelines.default is " + Quote.of(defaultPipeline)
                    + ", but " + routesDir + " has no " + defaultPipeline + SCHEMA_SUFFIX + "; pipelines found: "
                    + String.join(", ", pipelines.keySet()));
        }
        this.defaultPipeline = defaultPipeline;
    }

    public String defaultPipeline() {
        return defaultPipeline;
    }

    /** Every pipeline, by name. */
    public Collection<Pipeline> all() {
        return pipelines.values();
    }

    /**
     * The params a job of {@code pipeline} runs with: {@code params} (null for none) with the schema's defaults
     * filled in, checked against the schema.
     *
     * @param pipeline null for the default pipeline
     * @throws InvalidJobRequest for an unknown pipeline, or params the schema refuses (every rule broken, by field)
     */
    public Params resolve(String pipeline, JsonNode params) {
        Pipeline chosen = pipeline(pipeline == null ? defaultPipeline : pipeline);
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new InvalidJobRequest("params must be a JSON object");
        }
        ObjectNode filled = params == null || params.isNull() ? JsonNodeFactory.instance.objectNode() : ((ObjectNode) params).deepCopy();
        chosen.schema().path("properties").properties().forEach(property -> {
            JsonNode fallback = property.getValue().get("default");
            if (fallback != null && !filled.has(property.getKey())) {
                filled.set(property.getKey(), fallback.deepCopy());
            }
        });
        List<Error> errors = chosen.validator().validate(filled);
        if (!errors.isEmpty()) {
            throw new InvalidJobRequest("params of the " + chosen.name() + " pipeline: "
                    + errors.stream().map(Pipelines::describe).collect(Collectors.joining("; ")));
        }
        return Params.of(filled);
    }

    /** @throws InvalidJobRequest if there is no such pipeline */
    public Pipeline pipeline(String name) {
        Pipeline found = pipelines.get(name);
        if (found == null) {
            throw new InvalidJobRequest("unknown pipeline " + Quote.of(name) + "; pipelines: "
                    + String.join(", ", pipelines.keySet()));
        }
        return found;
    }

    /** "params.divergence: must have a maximum value of 10": the field, then the rule it breaks. */
    private static String describe(Error error) {
        String pointer = error.getInstanceLocation().toString(); // a JSON pointer: "" or "/divergence"
        String field = "params" + pointer.replace('/', '.');
        if (error.getProperty() != null && !pointer.endsWith("/" + error.getProperty())) {
            field += "." + error.getProperty(); // additionalProperties and required name the property apart
        }
        String message = error.getMessage();
        if (!pointer.isEmpty() && message.startsWith(pointer + ": ")) {
            message = message.substring(pointer.length() + 2);
        } else if (message.startsWith(": ")) {
            message = message.substring(2);
        }
        return field + ": " + message;
    }

    /** application.properties, read once. */
    private static final class DefaultSettings {
        static final Properties INSTANCE;

        static {
            try {
                INSTANCE = PropertiesLoaderUtils.loadAllProperties("application.properties");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Map<String, Pipeline> load(Path dir, ObjectMapper mapper, UnaryOperator<String> settings) {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Map<String, Pipeline> found = new TreeMap<>();
        // A pipeline's schema lies in its own folder (routes/pipelines/{name}/), or anywhere under the routes folder.
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(f -> f.getFileName().toString().endsWith(SCHEMA_SUFFIX)).sorted().toList()) {
                String name = file.getFileName().toString();
                name = name.substring(0, name.length() - SCHEMA_SUFFIX.length());
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalStateException(file + ": a pipeline name is lowercase letters, digits and dashes");
                }
                if (found.containsKey(name)) {
                    throw new IllegalStateException(file + ": a second schema of the pipeline " + name);
                }
                JsonNode schema = mapper.readTree(file.toFile());
                if (!"object".equals(schema.path("type").asText()) || !schema.path("properties").isObject()) {
                    throw new IllegalStateException(file + ": a params schema is of type object, with properties");
                }
                fromSettings(file, (ObjectNode) schema.get("properties"), settings);
                found.put(name, new Pipeline(name, schema.path("title").asText(name),
                        schema.path("description").asText(""), schema, registry.getSchema(schema), file.getParent()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the pipelines' params schemas in " + dir, e);
        }
        return found;
    }

    /**
     * A param whose choices are the deployment's (the stereo pipeline's depth models) names the settings that hold
     * them: {@code x-reelroute-enum-setting} (a comma-separated list, which becomes its {@code enum}),
     * {@code x-reelroute-default-setting} (its {@code default}), and {@code x-reelroute-minimum-setting} and
     * {@code x-reelroute-maximum-setting} (its bounds). The schema GET /pipelines shows has them filled in.
     */
    private static void fromSettings(Path file, ObjectNode properties, UnaryOperator<String> settings) {
        properties.properties().forEach(property -> {
            ObjectNode param = (ObjectNode) property.getValue();
            JsonNode enumSetting = param.remove(ENUM_SETTING);
            JsonNode defaultSetting = param.remove(DEFAULT_SETTING);
            if (enumSetting != null) {
                String list = settings.apply(enumSetting.asText());
                if (list == null || list.isBlank()) {
                    throw new IllegalStateException(file + ": params." + property.getKey() + " takes its choices from "
                            + enumSetting.asText() + ", which is not set");
                }
                ArrayNode choices = param.putArray("enum");
                Arrays.stream(list.split(",")).map(String::strip).filter(choice -> !choice.isEmpty()).forEach(choices::add);
            }
            for (String bound : List.of("minimum", "maximum")) {
                JsonNode boundSetting = param.remove("x-reelroute-" + bound + "-setting");
                if (boundSetting != null) {
                    param.set(bound, typed(file, property.getKey(), param, boundSetting.asText(), settings));
                }
            }
            if (defaultSetting != null) {
                JsonNode value = typed(file, property.getKey(), param, defaultSetting.asText(), settings);
                boolean offered = false;
                for (JsonNode choice : param.path("enum")) {
                    offered |= choice.equals(value);
                }
                if (param.has("enum") && !offered) {
                    throw new IllegalStateException(defaultSetting.asText() + "=" + value.asText() + " is not one of "
                            + param.get("enum") + " (params." + property.getKey() + " of " + file + ")");
                }
                param.set("default", value);
            }
        });
    }

    /** A setting's value as the param's type has it: a number for integer and number params, else text. */
    private static JsonNode typed(Path file, String name, ObjectNode param, String setting, UnaryOperator<String> settings) {
        String value = settings.apply(setting);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(file + ": params." + name + " takes a value from " + setting + ", which is not set");
        }
        String type = param.path("type").asText();
        try {
            return switch (type) {
                case "integer" -> JsonNodeFactory.instance.numberNode(Integer.parseInt(value.strip()));
                case "number" -> JsonNodeFactory.instance.numberNode(Double.parseDouble(value.strip()));
                default -> JsonNodeFactory.instance.textNode(value.strip());
            };
        } catch (NumberFormatException notANumber) {
            throw new IllegalStateException(setting + "=" + value + " is not a " + type + " (params." + name + " of " + file + ")");
        }
    }
}
