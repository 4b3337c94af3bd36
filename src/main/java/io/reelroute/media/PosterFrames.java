package io.reelroute.media;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.OutputKeys;
import io.reelroute.jobs.JobSources;
import io.reelroute.jobs.SourceLimits;

/**
 * The poster-frame hop's work (routes/poster-frame.camel.yaml): one JPEG still of a job's source, taken at a
 * fraction of its duration and no wider than asked (never upscaled), written to a work folder for the route to
 * upload under {@link OutputKeys#poster}.
 */
@Component("posterFrames")
public class PosterFrames {

    /** The still on local disk (a File: aws2-s3 uploads a File with its length, and can send it again), the key it belongs under, and what it shows. */
    public record PosterFrame(String jobId, java.io.File file, String key, int width, int height, double atSeconds, Path workDir) {
    }

    private final JobSources sources;
    private final FileProbe probe;
    private final MediaTools tools;
    private final Path workRoot;
    private final Duration timeout;
    private final SourceLimits limits;

    @Autowired
    public PosterFrames(JobSources sources, FileProbe probe, MediaTools tools, ReelRouteProperties properties,
            SourceLimits limits) {
        this(sources, probe, tools, properties.media().workRoot(), properties.media().probeTimeout(), limits);
    }

    /** Of sources of any duration, frame and rate. */
    public PosterFrames(JobSources sources, FileProbe probe, MediaTools tools, Path workRoot, Duration timeout) {
        this(sources, probe, tools, workRoot, timeout, SourceLimits.none());
    }

    public PosterFrames(JobSources sources, FileProbe probe, MediaTools tools, Path workRoot, Duration timeout,
            SourceLimits limits) {
        this.sources = sources;
        this.probe = probe;
        this.tools = tools;
        this.workRoot = workRoot;
        this.timeout = timeout;
        this.limits = limits;
    }

    /**
     * @param at where in the video, as a fraction of its duration (0 is the first frame)
     * @param maxWidth the widest the still may be; a narrower source keeps its own width
     * @throws UnprocessableSourceException when the source has no video to take a still of, or is over one of the
     *         deployment's limits (reelroute.limits.*: the poster is the first look a pipeline may take at a source)
     * @throws MediaCommandException when ffmpeg fails (phase transcode: the poster is one of the outputs made from the whole source)
     */
    public PosterFrame capture(String jobId, double at, int maxWidth) throws IOException {
        if (at < 0 || at >= 1 || maxWidth < 2) {
            throw new IllegalArgumentException("a poster frame lies at 0 <= at < 1 and is at least 2 pixels wide; got at="
                    + at + ", width=" + maxWidth);
        }
        Path dir = WorkFolders.create(workRoot, "poster-" + jobId);
        try {
            Path source = sources.download(jobId, dir);
            VideoProbe video = probe.probe(source);
            limits.check(video);
            // Display size: the source's frame scaled to maxWidth at most, with even sides for any encoder downstream.
            int width = Math.min(maxWidth, video.width()) & ~1;
            int height = Math.max(2, (int) Math.round((double) video.height() * width / video.width()) & ~1);
            double seconds = video.durationSeconds() * at;
            Path still = dir.resolve("poster.jpg");
            ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(),
                    MediaCommands.still(source, seconds, new MediaCommands.Frame(width, height), still), timeout,
                    dir.resolve("ffmpeg.log"));
            if (!result.succeeded()) {
                throw new MediaCommandException(FailurePhase.TRANSCODE, "ffmpeg", result, timeout);
            }
            return new PosterFrame(jobId, still.toFile(), OutputKeys.poster(jobId), width, height, seconds, dir);
        } catch (IOException | RuntimeException e) {
            WorkFolders.remove(dir);
            throw e;
        }
    }

    /** Removes the still's work folder once it is uploaded (or the upload failed). */
    public void cleanup(PosterFrame poster) {
        if (poster != null) {
            WorkFolders.remove(poster.workDir());
        }
    }
}
