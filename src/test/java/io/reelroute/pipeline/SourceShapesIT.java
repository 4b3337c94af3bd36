package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.ResourceNames;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.VideoProbe;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.SourceCorpus;

/**
 * Sources of every shape people upload (SourceCorpus) through the whole stereo pipeline on the embedded default, all
 * at once: each completes with the picture's duration, the display aspect the format makes of the source's (its
 * rotation and pixel aspect included), every audio and text subtitle track with its language, the chapters, and an
 * HLS package. What can't complete fails at once, in one delivery, with a reason that says what to do.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.chunking.concurrent-consumers=2",
    "reelroute.inference.concurrent-consumers=2",
})
class SourceShapesIT extends RouteTestSupport {

    private static final FileProbe PROBE = new FileProbe(MediaTools.bundled(), Duration.ofMinutes(1), new ObjectMapper());
    /** Every source's job, started together on first use so that they run side by side. */
    private static final Map<String, String> JOBS = new ConcurrentHashMap<>();

    static List<SourceCorpus.Source> sources() {
        return SourceCorpus.all();
    }

    private synchronized String jobOf(SourceCorpus.Source source) {
        if (JOBS.isEmpty()) {
            sources().parallelStream().forEach(SourceCorpus::file);
            for (SourceCorpus.Source each : sources()) {
                JOBS.put(each.name(), startJob("stereo", "{\"segment_seconds\": 2}", SourceCorpus.file(each)));
            }
        }
        return JOBS.get(source.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void everyShapeCompletesWithItsPictureAndEveryTrack(SourceCorpus.Source source, @TempDir Path tmp) throws Exception {
        String jobId = jobOf(source);
        Path file = SourceCorpus.file(source);

        Job job = awaitStatus(jobId, JobStatus.COMPLETED);

        assertThat(job.totalSegments()).isGreaterThanOrEqualTo(1);
        Path finalMp4 = download(OutputKeys.finalVideo(jobId), tmp.resolve("final.mp4"));
        VideoProbe in = PROBE.probe(file);
        VideoProbe out = PROBE.probe(finalMp4);
        assertThat(out.durationSeconds()).as("the picture's duration").isCloseTo(in.durationSeconds(), within(0.5));
        assertThat((double) out.width() / out.height()).as("full-sbs of a %dx%d picture as shown", in.width(), in.height())
                .isCloseTo(2.0 * in.width() / in.height(), within(0.03 * in.width() / in.height()));
        assertThat(out.browserPlayable()).isTrue();

        JsonNode uploaded = PROBE.describe(file);
        JsonNode result = PROBE.describe(finalMp4);
        assertThat(languages(result, "audio")).as("audio tracks").isEqualTo(languages(uploaded, "audio"));
        assertThat(languages(result, "subtitle")).as("subtitle tracks").isEqualTo(languages(uploaded, "subtitle"));
        assertThat(codecs(result, "subtitle")).allMatch("mov_text"::equals);
        assertThat(result.path("chapters").size()).as("chapters").isEqualTo(uploaded.path("chapters").size());

        // The HLS package offers each audio track and each (text) subtitle track of final.mp4 as a rendition.
        Job.Hls hls = awaitHls(jobId, HlsStatus.READY);
        String master = s3.getObjectAsBytes(r -> r.bucket(names().outputBucket()).key(hls.masterKey())).asUtf8String();
        assertThat(master.lines().filter(line -> line.startsWith("#EXT-X-MEDIA:TYPE=AUDIO"))).as("audio renditions")
                .hasSameSizeAs(languages(result, "audio"));
        assertThat(master.lines().filter(line -> line.startsWith("#EXT-X-MEDIA:TYPE=SUBTITLES"))).as("subtitle renditions")
                .hasSameSizeAs(languages(result, "subtitle"));
    }

    /** A source whose video is a codec ffmpeg does not know (ProRes RAW): failed at once in probe, saying what to do. */
    @Test
    void aCodecFfmpegDoesNotKnowFailsAtOnceInProbeSayingWhatToExport(@TempDir Path tmp) throws Exception {
        Path raw = retagged(SourceCorpus.file(SourceCorpus.all().get(0)), "avc1", "aprh", tmp.resolve("raw.mov"));
        double retried = retries();

        Job failed = awaitFailed(startJob("stereo", "{}", raw));

        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(failed.failureReason()).isEqualTo("the video stream is ProRes RAW HQ, which can't be decoded here;"
                + " export the video as H.264, HEVC or ProRes 422 and upload it again");
        assertThat(retries()).isEqualTo(retried);
    }

    /**
     * A source whose picture data is damaged where ffmpeg must decode it (ProRes goes through the mezzanine):
     * ffmpeg fails the same way every time, so the job fails in chunking on the first delivery, nothing retried or
     * dead-lettered, with a reason that says what to do and no work folder path in it.
     */
    @Test
    void aDamagedStreamFailsInChunkingOnTheFirstDeliveryWithAReasonToActOn(@TempDir Path tmp) throws Exception {
        Path damaged = damaged(tmp.resolve("damaged.mov"));
        double retried = retries();

        Job failed = awaitFailed(startJob("stereo", "{}", damaged));

        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.CHUNKING);
        assertThat(failed.failureReason()).isEqualTo("the source is damaged: ffmpeg could not read its data;"
                + " export or copy the file again and upload it");
        // The end of ffmpeg's output: which of its decoder's complaints comes last varies from run to run.
        assertThat(failed.failureDetail()).startsWith("ffmpeg: ").containsAnyOf("Decode error rate", "invalid frame header",
                "Could not open encoder", "Nothing was written").doesNotContain("/tmp").doesNotContain("target/");
        assertThat(retries()).isEqualTo(retried);
        assertThat(messageCount(ResourceNames.dlq(names().chunkingQueue()))).isZero();
    }

    private double retries() {
        return count("reelroute.messages.retried", "hop", "upload-event") + count("reelroute.messages.retried", "hop", "chunk");
    }

    /** The languages of the streams of a type, in order ("und" where a stream names none). */
    private static List<String> languages(JsonNode description, String type) {
        List<String> languages = new ArrayList<>();
        for (JsonNode stream : description.path("streams")) {
            if (type.equals(stream.path("codec_type").asText())) {
                languages.add(stream.path("tags").path("language").asText("und"));
            }
        }
        return languages;
    }

    private static List<String> codecs(JsonNode description, String type) {
        List<String> codecs = new ArrayList<>();
        for (JsonNode stream : description.path("streams")) {
            if (type.equals(stream.path("codec_type").asText())) {
                codecs.add(stream.path("codec_name").asText());
            }
        }
        return codecs;
    }

    /**
     * The file with the sample description's four-character code {@code from} replaced: a codec the container names
     * but ffmpeg lacks.
     */
    private static Path retagged(Path file, String from, String to, Path target) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf(from, text.indexOf("stsd"));
        System.arraycopy(to.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, bytes, at, 4);
        return Files.write(target, bytes);
    }

    /** A ProRes MOV whose media data (mdat, before the index) is noise: the index reads, the picture does not. */
    private static Path damaged(Path target) throws IOException {
        Path good = target.resolveSibling("good.mov");
        ProcessRunner.Result made = ProcessRunner.run(MediaTools.bundled().ffmpeg(), List.of("-nostdin", "-loglevel", "error",
                "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=3", "-c:v", "prores_ks", good.toString()),
                Duration.ofMinutes(1), target.resolveSibling("good.log"));
        assertThat(made.succeeded()).as(made.tail()).isTrue();
        byte[] bytes = Files.readAllBytes(good);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int mdat = text.indexOf("mdat");
        int moov = text.indexOf("moov");
        assertThat(mdat).isLessThan(moov);
        Random noise = new Random(7);
        for (int i = mdat + 4; i < moov - 4; i++) {
            bytes[i] = (byte) noise.nextInt(256);
        }
        return Files.write(target, bytes);
    }
}
