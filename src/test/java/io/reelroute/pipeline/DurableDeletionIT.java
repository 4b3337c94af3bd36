package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.api.ApiAuth;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.SourceKey;
import io.reelroute.contract.Tables;
import io.reelroute.jobs.Watchdog;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A deletion whose purge never ran (the process stopped with the purge still queued in memory: here its route is
 * stopped) is carried out all the same: the job's record says its purge is pending, and the watchdog purges it after
 * reelroute.watchdog.stall-after.purge, leaving no object of the job anywhere.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    // Nothing starts the job's pipeline: its objects are put here.
    "camel.main.route-filter-exclude-pattern=embedded-s3-notifications",
    "reelroute.watchdog.interval=1s",
    "reelroute.watchdog.stall-after.purge=3s",
})
class DurableDeletionIT extends RouteTestSupport {

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camel;

    @Autowired
    DynamoDbClient dynamoDb;

    @Test
    void theWatchdogFinishesThePurgeOfADeletedJobWhosePurgeWasLost() throws Exception {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS, ApiAuth.LOCAL_SUBJECT, "to delete");
        List<String> inputs = List.of(SourceKey.keyFor(jobId), "segments/" + jobId + "/00000_sbs.mp4",
                "tracks/" + jobId + "/tracks.mkv");
        inputs.forEach(key -> s3.putObject(r -> r.bucket(names().inputBucket()).key(key), RequestBody.fromString("x")));
        List<String> outputs = List.of(OutputKeys.finalVideo(jobId), "jobs/" + jobId + "/hls/master.m3u8");
        outputs.forEach(key -> s3.putObject(r -> r.bucket(names().outputBucket()).key(key), RequestBody.fromString("x")));
        assertThat(objectsOf(jobId)).hasSize(5);
        double purgesBefore = count("reelroute.watchdog.repairs", "action", Watchdog.Action.PURGED_DELETED_JOB.name());

        camel.getRouteController().stopRoute("api-purge-job");
        try {
            HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/jobs/" + jobId)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
            assertThat(item(jobId)).as("the purge is pending").containsKeys(Tables.PURGE_PENDING, Tables.WATCH);
            assertThat(objectsOf(jobId)).as("nothing purged by the stopped route").hasSize(5);

            await().atMost(PATIENCE).until(() -> objectsOf(jobId).isEmpty());
            await().atMost(PATIENCE).until(() -> !item(jobId).containsKey(Tables.PURGE_PENDING));
            assertThat(item(jobId)).as("nothing about the job left to watch").doesNotContainKey(Tables.WATCH)
                    .containsKey(Tables.DELETED_AT);
            assertThat(count("reelroute.watchdog.repairs", "action", Watchdog.Action.PURGED_DELETED_JOB.name()))
                    .isGreaterThan(purgesBefore);
        } finally {
            camel.getRouteController().startRoute("api-purge-job");
        }
        // The purge left queued runs too, on nothing: it is idempotent.
        Thread.sleep(1000);
        assertThat(objectsOf(jobId)).isEmpty();
        assertThat(jobs.find(jobId).orElseThrow().deletedAt()).isNotNull();
    }

    private Map<String, AttributeValue> item(String jobId) {
        return dynamoDb.getItem(r -> r.tableName(names().jobsTable()).consistentRead(true)
                .key(Map.of(Tables.JOB_ID, AttributeValue.fromS(jobId)))).item();
    }
}
