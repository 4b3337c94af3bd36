package io.reelroute.transcode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.store.JobStore;
import io.reelroute.testing.HopContext;
import io.reelroute.testing.ProvisionedEmulators;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mediaconvert.MediaConvertClient;

/**
 * The package-hls route template (routes/kit/package-hls.camel.yaml) in a bare CamelContext, instantiated once per
 * packager: jobs in DynamoDB Local, CreateJob against a stand-in for MediaConvert's REST API, and the refusal case
 * of transcode-submit.camel.yaml.
 */
class PackageHlsTest {

    private static final String JOBS = "/2017-08-29/jobs";
    private static final String MEDIACONVERT_JOB = "1700000000000-abc123";
    private static final ObjectMapper MAPPER = Jackson2ObjectMapperBuilder.json().build();

    private static ProvisionedEmulators emulators;
    private static JobStore jobs;
    private static WireMockServer mediaConvertApi;
    private static MediaConvertClient client;

    private HopContext hop;
    private ProducerTemplate send;

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        jobs = new JobStore(emulators.dynamoDb(), ProvisionedEmulators.NAMES.jobsTable(), Clock.systemUTC());
        mediaConvertApi = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        mediaConvertApi.start();
        client = MediaConvertClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + mediaConvertApi.port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (mediaConvertApi != null) {
            mediaConvertApi.stop();
        }
        if (emulators != null) {
            emulators.close();
        }
    }

    @BeforeEach
    void context() throws Exception {
        mediaConvertApi.resetAll();
        hop = HopContext.with(Map.of("reelroute.transcode.packager", "mediaconvert"))
                .bind("jobStore", jobs)
                .bind("mediaConvertSubmitter", new MediaConvertSubmitter(client, MAPPER, "reelroute-output",
                        new ReelRouteProperties.Transcode.Mediaconvert("arn:aws:iam::123456789012:role/reelroute-mediaconvert",
                                null, null, HopContext.routeFile("mediaconvert-job.json")),
                        jobId -> new PackageTracks(List.of(new PackageTracks.Track(1, "aac", "en", "English")), List.of(), List.of())))
                .load("package-hls.camel.yaml")
                // The hop's own refusal case as its file declares it; the shared transient policy is not under test here.
                .routeConfigurationsOf("transcode-submit.camel.yaml");
        hop.yaml("""
                - routeConfiguration:
                    id: transient-faults
                - templatedRoute:
                    routeTemplateRef: package-hls
                    routeId: submit-by-default
                    parameters:
                      - name: endpoint
                        value: by-default
                - templatedRoute:
                    routeTemplateRef: package-hls
                    routeId: submit-locally
                    parameters:
                      - name: endpoint
                        value: locally
                      - name: packager
                        value: local
                      - name: localPackager
                        value: mock:local-packager
                - templatedRoute:
                    routeTemplateRef: package-hls
                    routeId: submit-elsewhere
                    parameters:
                      - name: endpoint
                        value: elsewhere
                      - name: packager
                        value: cloud-transcoder
                """).start();
        send = hop.producer();
    }

    @AfterEach
    void closeContext() {
        hop.close();
    }

    @Test
    void theDefaultPackagerSubmitsTheJobToMediaConvertOnceAndRecordsItsJobId() throws IOException {
        mediaConvertApi.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"job\":{\"id\":\"" + MEDIACONVERT_JOB + "\",\"status\":\"SUBMITTED\"}}")));
        String jobId = completedJob();

        send.sendBody("direct:by-default", jobId);
        // A repeated request: the job has an hls_status now, so it needs no packaging.
        send.sendBody("direct:by-default", jobId);

        var requests = mediaConvertApi.findAll(postRequestedFor(urlEqualTo(JOBS)));
        assertThat(requests).hasSize(1);
        JsonNode request = MAPPER.readTree(requests.get(0).getBodyAsString());
        assertThat(request.path("userMetadata").path("job_id").asText()).isEqualTo(jobId);
        assertThat(request.path("settings").path("inputs").get(0).path("fileInput").asText())
                .isEqualTo("s3://reelroute-output/jobs/" + jobId + "/final.mp4");
        Job.Hls hls = jobs.find(jobId).orElseThrow().hls();
        assertThat(hls.status()).isEqualTo(HlsStatus.SUBMITTED);
        assertThat(hls.mediaConvertJobId()).isEqualTo(MEDIACONVERT_JOB);
    }

    @Test
    void aRefusedSubmissionFailsThePackageWithTheReasonAndIsHandled() {
        mediaConvertApi.stubFor(post(urlEqualTo(JOBS)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"message\":\"Invalid destination: bucket not found\"}")));
        String jobId = completedJob();

        send.sendBody("direct:by-default", jobId);

        Job job = jobs.find(jobId).orElseThrow();
        assertThat(job.hls().status()).isEqualTo(HlsStatus.FAILED);
        assertThat(job.hls().errorCode()).isEqualTo("SUBMISSION_REFUSED");
        assertThat(job.hls().errorMessage()).contains("Invalid destination: bucket not found");
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void theLocalPackagerIsHandedTheJobIdAndOnlyForACompletedJobThatNeedsPackaging() throws Exception {
        MockEndpoint local = hop.mock("mock:local-packager");
        String completed = completedJob();
        String unfinished = JobIds.newId();
        jobs.createIfAbsent(unfinished, Mode.SBS);

        send.sendBody("direct:locally", completed);
        send.sendBody("direct:locally", unfinished);

        assertThat(local.getExchanges()).extracting(e -> e.getMessage().getBody(String.class)).containsExactly(completed);
        assertThat(local.getExchanges().get(0).getProperty("jobId")).as("for the logs and the error policy").isEqualTo(completed);
        assertThat(mediaConvertApi.findAll(postRequestedFor(urlEqualTo(JOBS)))).isEmpty();
        assertThat(jobs.find(completed).orElseThrow().hls()).as("no hls_status until the packager's event").isNull();
    }

    @Test
    void anUnknownPackagerFailsTheRequestAndNamesTheSetting() {
        String jobId = completedJob();

        assertThatThrownBy(() -> send.sendBody("direct:elsewhere", jobId)).isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reelroute.transcode.packager").hasMessageContaining("'cloud-transcoder'");
    }

    private static String completedJob() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.complete(jobId);
        return jobId;
    }
}
