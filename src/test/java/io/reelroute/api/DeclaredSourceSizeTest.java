package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.jobs.SourceLimits;

/** The source size a POST /jobs or upload-parts request declares, and the parts a source of a size can be cut into. */
class DeclaredSourceSizeTest {

    static final long MB = 1024L * 1024;
    final ObjectMapper mapper = new ObjectMapper();
    final SourceLimits limits = new SourceLimits(new ReelRouteProperties.Limits(DataSize.ofMegabytes(100),
            Duration.ofHours(4), 7680, 7680, 120, 2000));

    @Test
    void aSizeWithinTheLimitIsTakenAndNoneIsNull() throws Exception {
        assertThat(JobUploads.declaredSize(json("{}"), limits)).isNull();
        assertThat(JobUploads.declaredSize(json("{\"size\": null}"), limits)).isNull();
        assertThat(JobUploads.declaredSize(json("{\"size\": 1}"), limits)).isEqualTo(1L);
        assertThat(JobUploads.declaredSize(json("{\"size\": " + 100 * MB + "}"), limits)).isEqualTo(100 * MB);
    }

    @Test
    void aSizeOverTheLimitIs413WithTheLimit() {
        ApiException refused = refused("{\"size\": " + (150 * MB) + "}");
        assertThat(refused.getStatus()).isEqualTo(413);
        assertThat(refused.getMessage()).isEqualTo("the source is 150 MB; this deployment takes sources up to 100 MB "
                + "(reelroute.limits.max-source-bytes): trim or compress it and upload again");
    }

    @Test
    void aSizeThatIsNotAWholeNumberOfBytesIs400() {
        for (String body : new String[] {"{\"size\": 0}", "{\"size\": -5}", "{\"size\": 1.5}", "{\"size\": \"12\"}",
                "{\"size\": 1e30}", "{\"size\": 99999999999999999999999}"}) {
            ApiException refused = refused(body);
            assertThat(refused.getStatus()).as(body).isEqualTo(400);
            assertThat(refused.getMessage()).as(body).startsWith("size must be the source's size in bytes");
        }
    }

    @Test
    void partsAreBoundedByWhatASourceOfTheSizeCanBeCutInto() {
        assertThat(JobUploads.maxParts(1)).isEqualTo(1);
        assertThat(JobUploads.maxParts(5 * MB)).isEqualTo(1);
        assertThat(JobUploads.maxParts(5 * MB + 1)).isEqualTo(2);
        assertThat(JobUploads.maxParts(100 * MB)).isEqualTo(20);
        assertThat(JobUploads.maxParts(20L * 1024 * MB)).as("the default limit, 20 GB").isEqualTo(4096);
        assertThat(JobUploads.maxParts(Long.MAX_VALUE)).as("S3's own bound").isEqualTo(10_000);
    }

    @Test
    void noPartHoldsMoreThanFiveGiB() {
        long gib = 1024 * MB;
        assertThat(JobUploads.minParts(1)).isEqualTo(1);
        assertThat(JobUploads.minParts(5 * gib)).isEqualTo(1);
        assertThat(JobUploads.minParts(5 * gib + 1)).isEqualTo(2);
        assertThat(JobUploads.minParts(20 * gib)).as("the default limit, 20 GB").isEqualTo(4);
    }

    private ApiException refused(String body) {
        return catchThrowableOfType(ApiException.class, () -> JobUploads.declaredSize(json(body), limits));
    }

    private JsonNode json(String body) throws Exception {
        return mapper.readTree(body);
    }
}
