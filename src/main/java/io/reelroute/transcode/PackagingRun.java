package io.reelroute.transcode;

import java.nio.file.Path;

/**
 * One local HLS packaging of a job: the work folder that holds its {@code final.mp4} ({@code finalFile}) and the
 * folder the ladder is written to ({@code hlsDir}, inside the work folder), and the frame-packing SEI its stereo
 * format needs (0 for none). Local to the package-locally hop.
 */
public record PackagingRun(String jobId, Path workDir, Path finalFile, Path hlsDir, int framePacking) {
}
