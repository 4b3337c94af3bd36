package io.reelroute.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.support.PropertiesLoaderUtils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.Mode;
import io.reelroute.contract.Params;

/** Pipelines and their params schemas: the ones beside the routes, and the rules a schema can state. */
class PipelinesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theRoutesFolderDeclaresTheStereoPipelineAsTheDefault() {
        Pipelines pipelines = new Pipelines(Path.of("routes"), "stereo", MAPPER);

        assertThat(pipelines.all()).extracting(Pipelines.Pipeline::name).contains("stereo");
        assertThat(pipelines.defaultPipeline()).isEqualTo("stereo");
        assertThat(pipelines.pipeline("stereo").description()).isNotBlank();
    }

    @Test
    void missingParamsTakeTheSchemasDefaults() {
        Pipelines pipelines = new Pipelines(Path.of("routes"), "stereo", MAPPER);

        Params none = pipelines.resolve(null, null);
        assertThat(none.json()).isEqualTo(json("""
                {"format": "full-sbs", "anaglyph_method": "dubois", "divergence": 2, "convergence": 0.5,
                 "depth_model": "Any_V2_S", "max_fps": 30, "encoder": "h264", "segment_seconds": 10,
                 "snap_to_scenes": false, "overlap_seconds": 0, "crf": 20}"""));
        assertThat(none.mode()).isEqualTo(Mode.SBS);
        assertThat(pipelines.resolve("stereo", json("{\"format\": \"anaglyph\"}")).mode()).isEqualTo(Mode.ANAGLYPH);
    }

    /** The depth models are the deployment's: the schema takes its choices and default from settings. */
    @Test
    void aParamsChoicesAndDefaultMayComeFromTheDeploymentsSettings() {
        Map<String, String> settings = Map.of("reelroute.stereo.depth-models", "Any_V2_L, ZoeD_N", "reelroute.stereo.depth-model", "ZoeD_N");
        Pipelines pipelines = new Pipelines(Path.of("routes"), "stereo", MAPPER, withDefaults(settings));

        JsonNode depthModel = pipelines.pipeline("stereo").schema().path("properties").path("depth_model");
        assertThat(depthModel.path("enum")).isEqualTo(json("[\"Any_V2_L\", \"ZoeD_N\"]"));
        assertThat(depthModel.has("x-reelroute-enum-setting")).as("GET /pipelines shows plain JSON Schema").isFalse();
        assertThat(pipelines.resolve("stereo", null).text("depth_model")).isEqualTo("ZoeD_N");
        assertThatThrownBy(() -> pipelines.resolve("stereo", json("{\"depth_model\": \"Any_V2_S\"}")))
                .hasMessageContaining("params.depth_model");

        assertThatThrownBy(() -> new Pipelines(Path.of("routes"), "stereo", MAPPER,
                withDefaults(Map.of("reelroute.stereo.depth-models", "Any_V2_L", "reelroute.stereo.depth-model", "ZoeD_N"))))
                .hasMessageContaining("reelroute.stereo.depth-model=ZoeD_N is not one of");
        assertThatThrownBy(() -> new Pipelines(Path.of("routes"), "stereo", MAPPER, name -> null))
                .hasMessageContaining("reelroute.stereo.depth-models, which is not set");
    }

    @Test
    void refusedParamsNameTheFieldAndTheRule() {
        Pipelines pipelines = new Pipelines(Path.of("routes"), "stereo", MAPPER);

        assertThatThrownBy(() -> pipelines.resolve("stereo", json("{\"format\": \"3d\"}")))
                .isInstanceOf(InvalidJobRequest.class)
                .hasMessageContaining("params.format")
                .hasMessageContaining("enumeration");
        assertThatThrownBy(() -> pipelines.resolve("stereo", json("{\"segment_seconds\": 1}")))
                .as("below the deployment's reelroute.chunking.min-segment-seconds")
                .isInstanceOf(InvalidJobRequest.class)
                .hasMessageContaining("params.segment_seconds")
                .hasMessageContaining("2");
        assertThatThrownBy(() -> pipelines.resolve("stereo", json("{\"divergence\": 11}")))
                .isInstanceOf(InvalidJobRequest.class)
                .hasMessageContaining("params.divergence")
                .hasMessageContaining("10");
        assertThatThrownBy(() -> pipelines.resolve("stereo", json("{\"colour\": \"red\"}")))
                .isInstanceOf(InvalidJobRequest.class)
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> pipelines.resolve("stereo", json("[1]")))
                .isInstanceOf(InvalidJobRequest.class)
                .hasMessage("params must be a JSON object");
        assertThatThrownBy(() -> pipelines.resolve("nope", null))
                .isInstanceOf(InvalidJobRequest.class)
                .hasMessageContaining("unknown pipeline 'nope'")
                .hasMessageContaining("stereo");
    }

    @Test
    void typesRangesAndDefaultsOfAnyPipelineAreChecked() throws IOException {
        Files.writeString(dir.resolve("clips.params.schema.json"), """
                {"type": "object", "additionalProperties": false, "title": "Clips",
                 "properties": {
                   "chunk_seconds": {"type": "integer", "minimum": 10, "maximum": 600, "default": 120},
                   "label": {"type": "string", "maxLength": 5}}}
                """);
        Pipelines pipelines = new Pipelines(dir, "clips", MAPPER);

        assertThat(pipelines.resolve("clips", null).number("chunk_seconds")).isEqualTo(120);
        assertThat(pipelines.resolve("clips", json("{\"chunk_seconds\": 30}")).number("chunk_seconds")).isEqualTo(30);
        assertThatThrownBy(() -> pipelines.resolve("clips", json("{\"chunk_seconds\": 5}")))
                .hasMessageContaining("params.chunk_seconds").hasMessageContaining("10");
        assertThatThrownBy(() -> pipelines.resolve("clips", json("{\"chunk_seconds\": \"long\"}")))
                .hasMessageContaining("params.chunk_seconds").hasMessageContaining("integer");
        assertThatThrownBy(() -> pipelines.resolve("clips", json("{\"label\": \"too long\"}")))
                .hasMessageContaining("params.label");
    }

    @Test
    void aDefaultPipelineWithoutASchemaRefusesToStart() throws IOException {
        Files.writeString(dir.resolve("clips.params.schema.json"), "{\"type\": \"object\", \"properties\": {}}");

        assertThatThrownBy(() -> new Pipelines(dir, "stereo", MAPPER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stereo.params.schema.json").hasMessageContaining("clips");
    }

    @Test
    void aSchemaThatIsNotOfAnObjectRefusesToStart() throws IOException {
        Files.writeString(dir.resolve("odd.params.schema.json"), "{\"type\": \"array\"}");

        assertThatThrownBy(() -> new Pipelines(dir, "odd", MAPPER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("of type object");
    }

    /** The settings given, and application.properties' for the rest. */
    private static UnaryOperator<String> withDefaults(Map<String, String> settings) {
        try {
            Properties defaults = PropertiesLoaderUtils.loadAllProperties("application.properties");
            return name -> settings.containsKey(name) ? settings.get(name) : defaults.getProperty(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
