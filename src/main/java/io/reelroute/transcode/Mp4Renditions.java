package io.reelroute.transcode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.Params;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.contract.Rendition;
import io.reelroute.contract.ResourceNames;
import io.reelroute.jobs.JobSources;
import io.reelroute.jobs.SourceLimits;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.SegmentPlan;
import io.reelroute.media.MediaCommands.Frame;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.VideoProbe;
import io.reelroute.media.WorkFolders;
import io.reelroute.pipelines.Pipelines;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The kit's MP4 renditions hop: a job's whole source made into progressive-download MP4s (see
 * {@link MediaCommands#mp4Rendition}), one per rung of its params' {@code heights} that the source can fill, written
 * to {@code jobs/{job_id}/renditions/{rung}p.mp4}; the largest is also the job's {@code final.mp4}, which the
 * download link, the outbox copy and HLS packaging read. A rung is the frame's shorter side (the height of a
 * landscape video, the width of a portrait one) and is never larger than the source's: a source smaller than
 * every rung gets one rendition at its own size. Params read from the job: {@code heights}, {@code crf},
 * {@code audio_kbps}.
 */
@Component("mp4Renditions")
public class Mp4Renditions {

    private static final Logger LOG = LoggerFactory.getLogger(Mp4Renditions.class);

    /** Beside a pipeline's params schema: its MediaConvert job, which makes the renditions and the HLS package. */
    static final String MEDIACONVERT_JOB_SUFFIX = ".mediaconvert-job.json";

    private final JobStore jobs;
    private final Pipelines pipelines;
    private final MediaConvertSubmitter mediaConvert;
    private final JobSources sources;
    private final FileProbe probe;
    private final MediaTools tools;
    private final S3Client s3;
    private final String outputBucket;
    private final Path workRoot;
    private final Duration timeout;
    private final SourceLimits limits;

    public Mp4Renditions(JobStore jobs, Pipelines pipelines, MediaConvertSubmitter mediaConvert, JobSources sources,
            FileProbe probe, MediaTools tools, S3Client s3, ReelRouteProperties properties, SourceLimits limits) {
        this.jobs = jobs;
        this.pipelines = pipelines;
        this.mediaConvert = mediaConvert;
        this.sources = sources;
        this.probe = probe;
        this.tools = tools;
        this.s3 = s3;
        this.outputBucket = ResourceNames.fromPrefix(properties.prefix()).outputBucket();
        this.workRoot = properties.media().workRoot();
        this.timeout = properties.transcode().local().timeout();
        this.limits = limits;
    }

    /** A new work folder for the job's source and renditions; the route removes it with {@link #cleanup}. */
    public Path workFolder(String jobId) throws IOException {
        return WorkFolders.create(workRoot, "renditions-" + JobIds.requireValid(jobId));
    }

    /**
     * Makes and uploads the renditions of the job's source, largest first, passing them through {@code dir}. A
     * repeat writes the same keys again.
     *
     * @throws PermanentJobFailure when the job has no readable source, its source is over one of the deployment's
     *         limits (reelroute.limits.*), or ffmpeg can't make a rendition of it
     */
    public List<Rendition> make(String jobId, Path dir) throws IOException {
        Params params = job(jobId).params();
        Path source = sources.download(jobId, dir);
        VideoProbe video = probe.probe(source);
        limits.check(video);
        List<Rendition> made = new ArrayList<>();
        for (int rung : rungs(params.integers("heights"), video.width(), video.height())) {
            Frame frame = MediaCommands.renditionFrame(video.width(), video.height(), rung);
            Path output = dir.resolve(rung + "p.mp4");
            // Interlaced, HDR and anamorphic sources get the corrections the stereo split's mezzanine makes.
            encode(MediaCommands.mp4Rendition(source, output, frame, params.number("crf").intValue(),
                    params.number("audio_kbps").intValue(), video.hasAudio(), SegmentPlan.of(video).videoFilters()),
                    rung + "p", dir);
            String key = OutputKeys.rendition(jobId, rung);
            s3.putObject(r -> r.bucket(outputBucket).key(key).contentType("video/mp4"), RequestBody.fromFile(output));
            made.add(new Rendition(frame.width(), frame.height(),
                    Math.round(Files.size(output) * 8 / video.durationSeconds()), key));
        }
        String largest = made.get(0).key();
        s3.copyObject(r -> r.sourceBucket(outputBucket).sourceKey(largest)
                .destinationBucket(outputBucket).destinationKey(OutputKeys.finalVideo(jobId)));
        LOG.info("Job {}: {} MP4 renditions of a {}x{} source", jobId, made.size(), video.width(), video.height());
        return made;
    }

    /**
     * Has MediaConvert make the renditions (and the HLS package) instead: submits the job's pipeline's MediaConvert
     * job ({@code {pipeline}.mediaconvert-job.json} beside its params schema) with the same rungs and frames as
     * {@link #make} would use, and returns MediaConvert's job id. The source passes through {@code dir} only to be
     * probed. MediaConvert's COMPLETE event brings the files back ({@link #adopt}). A repeat is the same
     * MediaConvert job (one client request token per job).
     *
     * @throws PermanentJobFailure when the job has no readable source, its source is over one of the deployment's
     *         limits (reelroute.limits.*), or MediaConvert refuses the job
     */
    public String submit(String jobId, Path dir) throws IOException {
        Job job = job(jobId);
        VideoProbe video = probe.probe(sources.download(jobId, dir));
        limits.check(video);
        List<Frame> frames = rungs(job.params().integers("heights"), video.width(), video.height()).stream()
                .map(rung -> MediaCommands.renditionFrame(video.width(), video.height(), rung)).toList();
        try {
            return mediaConvert.submitForSource(jobId, sources.uri(jobId),
                    pipelines.pipeline(job.pipeline()).file(MEDIACONVERT_JOB_SUFFIX), job.params(), frames);
        } catch (HlsSubmissionRefused refused) {
            throw new PermanentJobFailure(FailurePhase.TRANSCODE, refused.getMessage(), refused);
        }
    }

    /**
     * The renditions a MediaConvert job wrote, largest first, with their bit rates measured from their sizes; the
     * largest is copied to the job's {@code final.mp4}. A repeat copies it again.
     */
    public List<Rendition> adopt(String jobId, List<TranscodeEvents.Mp4Output> outputs) {
        List<Rendition> adopted = new ArrayList<>();
        for (TranscodeEvents.Mp4Output output : outputs) {
            long bytes = s3.headObject(r -> r.bucket(outputBucket).key(output.key())).contentLength();
            adopted.add(new Rendition(output.width(), output.height(),
                    output.durationMillis() > 0 ? bytes * 8_000 / output.durationMillis() : 0, output.key()));
        }
        adopted.sort(Comparator.comparingInt((Rendition r) -> Math.min(r.width(), r.height())).reversed());
        String largest = adopted.get(0).key();
        s3.copyObject(r -> r.sourceBucket(outputBucket).sourceKey(largest)
                .destinationBucket(outputBucket).destinationKey(OutputKeys.finalVideo(jobId)));
        LOG.info("Job {}: {} MP4 renditions made by MediaConvert", jobId, adopted.size());
        return adopted;
    }

    private Job job(String jobId) {
        return jobs.find(jobId).orElseThrow(() -> new PermanentJobFailure(FailurePhase.TRANSCODE, "job " + jobId + " does not exist"));
    }

    /** Removes a work folder of {@link #workFolder}; nothing to do when there is none (it was never made). */
    public void cleanup(Path dir) {
        WorkFolders.remove(dir);
    }

    /**
     * The rungs a {@code width} x {@code height} source can fill, largest first: those of {@code requested} no larger
     * than its shorter side, or that side itself (made even) when it is smaller than every one.
     */
    static List<Integer> rungs(List<Integer> requested, int width, int height) {
        int shortSide = Math.min(width, height);
        TreeSet<Integer> fitting = new TreeSet<>();
        requested.stream().filter(rung -> rung <= shortSide).forEach(fitting::add);
        if (fitting.isEmpty()) {
            fitting.add(shortSide & ~1);
        }
        return new ArrayList<>(fitting.descendingSet());
    }

    private void encode(List<String> args, String rendition, Path dir) throws IOException {
        Path log = dir.resolve(rendition + ".log");
        ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), args, timeout, log);
        if (!result.succeeded()) {
            throw new PermanentJobFailure(FailurePhase.TRANSCODE, "ffmpeg " + result.ending(timeout) + " while making the " + rendition + " MP4 rendition" + (result.tail().isEmpty() ? "" : ": " + result.tail()));
        }
    }
}
