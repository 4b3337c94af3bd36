package io.reelroute.contract;

/** One MP4 rendition of a job: its frame, its measured bit rate (video and audio, bit/s) and its output-bucket key. */
public record Rendition(int width, int height, long bitrate, String key) {
}
