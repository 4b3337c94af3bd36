package io.reelroute.testing;

import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.StereoParams;
import io.reelroute.pipelines.Pipelines;

/** Params as a job created through the pipelines' schemas has them, for tests of one hop. */
public final class TestParams {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pipelines PIPELINES = new Pipelines(Path.of("routes"), "stereo", MAPPER);

    private TestParams() {
    }

    /** A stereo job's params given {@code json}, the schema's defaults filled in. */
    public static StereoParams stereo(String json) {
        try {
            return StereoParams.of(PIPELINES.resolve("stereo", MAPPER.readTree(json)), "unused");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("params are not JSON: " + json, e);
        }
    }
}
