package io.reelroute.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;

/**
 * Sources of the shapes people upload, made with the bundled ffmpeg, short and small: phone clips (rotated, HEVC
 * 10-bit), editor exports (ProRes, DNxHR in MXF, several audio tracks), browser recordings (VP8 and VP9 in WebM,
 * variable frame rate), broadcast captures (interlaced MPEG-2 in MPEG-TS with a start time an hour in, anamorphic),
 * downloads (Matroska with subtitles and chapters), old camera and webcam files (MPEG-4 Part 2, MJPEG in AVI), HDR
 * (PQ), and files whose audio runs longer or shorter than their picture. Each is made once per build.
 */
public final class SourceCorpus {

    /** One source: its file name (the extension says the container) and the ffmpeg arguments that make it. */
    public record Source(String name, List<String> args) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static final MediaTools TOOLS = MediaTools.bundled();
    private static final Path CACHE = Path.of("target", "test-videos", "corpus");
    private static final String SECONDS = "3";

    private SourceCorpus() {
    }

    /** Every shape, in no particular order. */
    public static List<Source> all() {
        String srt = subtitles().toString();
        String chapters = chapters().toString();
        return List.of(
                // A phone clip recorded upright: H.264/AAC stored landscape, turned by the container.
                new Source("phone-h264-rotated.mp4", join(List.of("-display_rotation", "90"), video(320, 240, 30), tone(440),
                        List.of("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                                "-metadata:s:a:0", "language=eng"))),
                // An iPhone's HEVC in MOV, 10-bit, turned the other way.
                new Source("phone-hevc10-rotated.mov", join(List.of("-display_rotation", "270"), video(320, 240, 30), tone(440),
                        List.of("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
                                "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1", "-c:a", "aac"))),
                // An editor's export: ProRes 422 HQ with two PCM tracks, in MOV.
                new Source("editor-prores.mov", join(video(320, 240, 25), tone(440), tone(660),
                        List.of("-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "prores_ks", "-profile:v", "3",
                                "-c:a", "pcm_s16le", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra",
                                "-metadata:s:a:1", "title=Commentaire"))),
                // Avid: DNxHR LB 4:2:2 with PCM, in MXF.
                new Source("avid-dnxhr.mxf", join(video(320, 240, 25), tone(440),
                        List.of("-c:v", "dnxhd", "-profile:v", "dnxhr_lb", "-pix_fmt", "yuv422p", "-c:a", "pcm_s16le"))),
                // A browser's MediaRecorder: VP8 and Opus in WebM, frames at uneven intervals.
                new Source("browser-vp8-vfr.webm", join(video(320, 240, 25), tone(440),
                        List.of("-vf", "setpts='(N+0.4*mod(N,2))/25/TB'", "-fps_mode", "vfr", "-c:v", "libvpx",
                                "-deadline", "realtime", "-b:v", "500k", "-c:a", "libopus"))),
                new Source("browser-vp9.webm", join(video(320, 240, 30), tone(440),
                        List.of("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k", "-c:a", "libopus"))),
                new Source("av1.mp4", join(video(320, 240, 25), tone(440),
                        List.of("-c:v", "libsvtav1", "-preset", "12", "-pix_fmt", "yuv420p", "-c:a", "aac"))),
                // A broadcast capture: interlaced MPEG-2 (top field first) with anamorphic pixels and two MP2 tracks in
                // MPEG-TS, its clock an hour in.
                new Source("broadcast-mpeg2-interlaced.ts", join(video(352, 288, 25), tone(440), tone(660),
                        List.of("-map", "0:v", "-map", "1:a", "-map", "2:a", "-vf", "setsar=12/11", "-c:v", "mpeg2video",
                                "-b:v", "2M", "-flags", "+ildct+ilme", "-top", "1", "-c:a", "mp2",
                                "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=deu",
                                "-output_ts_offset", "3600"))),
                // XDCAM-style: interlaced MPEG-2 with PCM in MXF.
                new Source("xdcam-mpeg2.mxf", join(video(320, 240, 25), tone(440),
                        List.of("-c:v", "mpeg2video", "-b:v", "2M", "-flags", "+ildct+ilme", "-top", "1", "-c:a", "pcm_s16le"))),
                new Source("camera-mpeg4.avi", join(video(320, 240, 25), tone(440),
                        List.of("-c:v", "mpeg4", "-q:v", "4", "-c:a", "libmp3lame"))),
                new Source("webcam-mjpeg.avi", join(video(320, 240, 15), tone(440),
                        List.of("-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p", "-c:a", "pcm_s16le"))),
                // A download: H.264 with two audio tracks (AAC, AC-3), two subtitle tracks and chapters in Matroska.
                new Source("download-tracks.mkv", join(video(320, 240, 25), tone(440), tone(660),
                        List.of("-i", srt, "-i", srt, "-i", chapters,
                                "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s", "-map", "4:s", "-map_chapters", "5",
                                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                                "-c:a:0", "aac", "-c:a:1", "ac3", "-c:s", "srt",
                                "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=spa",
                                "-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=spa"))),
                // Non-square pixels: PAL widescreen's 16:11, stored 352x288, shown 512x288.
                new Source("anamorphic-h264.mp4", join(video(352, 288, 25), tone(440),
                        List.of("-vf", "setsar=16/11", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"))),
                // HDR10: HEVC 10-bit with the PQ curve and BT.2020 primaries.
                new Source("hdr10-hevc.mp4", join(video(320, 240, 25), tone(440),
                        List.of("-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le",
                                "-x265-params", "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc",
                                "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
                                "-tag:v", "hvc1", "-c:a", "aac"))),
                // A screen recording: the audio runs a second past the picture.
                new Source("screen-long-audio.mp4", join(video(320, 240, 25), List.of("-f", "lavfi", "-i",
                        "sine=frequency=440:sample_rate=48000:duration=4"),
                        List.of("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", "-c:a", "aac"))),
                new Source("short-audio.mov", join(video(320, 240, 25), List.of("-f", "lavfi", "-i",
                        "sine=frequency=440:sample_rate=48000:duration=1.5"),
                        List.of("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"))),
                new Source("silent-h264.mov", join(video(320, 240, 25),
                        List.of("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"))));
    }

    /** The source's file, made with ffmpeg the first time it is asked for. */
    public static synchronized Path file(Source source) {
        Path file = CACHE.resolve(source.name());
        if (Files.exists(file)) {
            return file;
        }
        try {
            Files.createDirectories(CACHE);
            Path partial = CACHE.resolve("partial-" + source.name());
            List<String> args = new ArrayList<>(List.of("-nostdin", "-loglevel", "error", "-y"));
            args.addAll(source.args());
            args.add(partial.toString());
            ProcessRunner.Result made = ProcessRunner.run(TOOLS.ffmpeg(), args, java.time.Duration.ofMinutes(2),
                    CACHE.resolve(source.name() + ".log"));
            if (!made.succeeded()) {
                throw new IllegalStateException("could not make " + source.name() + ": " + made.tail());
            }
            Files.move(partial, file);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> video(int width, int height, int rate) {
        return List.of("-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=" + rate + ":duration=" + SECONDS);
    }

    private static List<String> tone(int frequency) {
        return List.of("-f", "lavfi", "-i", "sine=frequency=" + frequency + ":sample_rate=48000:duration=" + SECONDS);
    }

    @SafeVarargs
    private static List<String> join(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    private static synchronized Path subtitles() {
        return write("subtitles.srt", """
                1
                00:00:00,200 --> 00:00:01,400
                Hello there

                2
                00:00:01,600 --> 00:00:02,800
                See you soon
                """);
    }

    private static synchronized Path chapters() {
        return write("chapters.txt", """
                ;FFMETADATA1
                [CHAPTER]
                TIMEBASE=1/1000
                START=0
                END=1500
                title=Opening
                [CHAPTER]
                TIMEBASE=1/1000
                START=1500
                END=3000
                title=Ending
                """);
    }

    private static Path write(String name, String content) {
        try {
            Files.createDirectories(CACHE);
            Path file = CACHE.resolve(name);
            if (!Files.exists(file)) {
                Files.writeString(file, content);
            }
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
