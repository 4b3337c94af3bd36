package io.reelroute.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertThat(none.mode()).isEqualTo(Mode.SBS);
        assertThat(pipelines.resolve("stereo", json("{\"mode\": \"anaglyph\"}")).mode()).isEqualTo(Mode.ANAGLYPH);
    }

    @Test
    void refusedParamsNameTheFieldAndTheRule() {
        Pipelines pipelines = new Pipelines(Path.of("routes"), "stereo", MAPPER);

        assertThatThrownBy(() -> pipelines.resolve("stereo", json("{\"mode\": \"3d\"}")))
                .isInstanceOf(InvalidJobRequest.class)
                .hasMessageContaining("params.mode")
                .hasMessageContaining("enumeration");
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

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
