package io.reelroute.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How the chunk hop turns a source into segments a model reads, decided from its probe. Segments are always MP4
 * with H.264, HEVC or AV1 video (and AAC or another audio codec MP4 holds): the contract every backend relies on.
 * <ul>
 * <li>Stream copy, the cheap way, where MP4 can carry the source's video as it is and nothing about the picture
 * needs fixing: cut at the keyframe at or after each boundary (a long GOP makes fewer, longer segments).</li>
 * <li>Otherwise a mezzanine: the split decodes the source and encodes H.264 at a visually lossless quality (CRF
 * {@value #MEZZANINE_CRF}), 8-bit 4:2:0, with a keyframe at each boundary. On the way, interlaced video is
 * deinterlaced (bwdif, one frame per frame), HDR (PQ or HLG) is tone-mapped to SDR BT.709 (no model here is trained
 * on HDR, and an 8-bit model output of HDR values looks washed out), and non-square pixels are made square, so that
 * a model never has to know about fields, transfer curves or pixel aspect.</li>
 * </ul>
 * The segments carry the first audio track, copied where MP4 holds its codec and AAC otherwise; the final video
 * takes every audio track from the source itself ({@link Tracks}).
 *
 * @param copyVideo whether the video is stream-copied; otherwise the mezzanine
 * @param reasons why not, for the log: one phrase per reason
 * @param videoFilters the mezzanine's ffmpeg filters, in order (empty for none)
 * @param copyAudio whether the first audio track is copied into the segments; otherwise AAC
 */
public record SegmentPlan(boolean copyVideo, List<String> reasons, List<String> videoFilters, boolean copyAudio) {

    /** Stream copy of everything: a source known to be H.264 and AAC, progressive and SDR (tests, benchmarks). */
    public static final SegmentPlan COPY = new SegmentPlan(true, List.of(), List.of(), true);

    /** The mezzanine's x264 CRF: visually lossless for a model's input, about 3x the size of CRF 23. */
    public static final int MEZZANINE_CRF = 16;

    /** AAC's bit rate wherever audio is encoded on the way (segments, tracks). */
    public static final String AAC_BITRATE = "192k";

    /** Video codecs MP4 segments carry by stream copy, and every backend must read. */
    static final Set<String> MP4_VIDEO = Set.of("h264", "hevc", "av1");

    /** Audio codecs MP4 holds and the final video keeps as they are. */
    static final Set<String> MP4_AUDIO = Set.of("aac", "mp3", "ac3", "eac3", "alac");

    /** Subtitle codecs that are text, which MP4's timed text (mov_text) can take; bitmap ones (DVD, PGS) can't. */
    static final Set<String> TEXT_SUBTITLES = Set.of("mov_text", "subrip", "srt", "ass", "ssa", "webvtt", "text");

    /** PQ or HLG to SDR BT.709: to linear light, the Hable curve, back to BT.709 in 8-bit 4:2:0. */
    static final String TONE_MAP = "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
            + "zscale=t=bt709:m=bt709:r=tv,format=yuv420p";

    /**
     * What the split makes of a source its probe describes.
     */
    public static SegmentPlan of(VideoProbe probe) {
        List<String> reasons = new ArrayList<>();
        List<String> filters = new ArrayList<>();
        if (!MP4_VIDEO.contains(probe.videoCodec())) {
            reasons.add(probe.videoCodec() + " video is not carried in MP4 segments");
        }
        if (probe.interlaced()) {
            reasons.add("interlaced (" + probe.fieldOrder() + ")");
            filters.add("bwdif=mode=send_frame");
        }
        if (probe.hdr()) {
            reasons.add("HDR (" + probe.colorTransfer() + ") tone-mapped to SDR");
            filters.add(TONE_MAP);
        }
        if (probe.anamorphic()) {
            reasons.add(String.format(Locale.ROOT, "non-square pixels (%.3f)", probe.sampleAspect()));
            filters.add("scale=trunc(iw*sar/2)*2:ih,setsar=1");
        }
        boolean copyAudio = probe.audioCodecs().isEmpty() || MP4_AUDIO.contains(probe.audioCodecs().get(0));
        return new SegmentPlan(reasons.isEmpty(), List.copyOf(reasons), List.copyOf(filters), copyAudio);
    }

    /**
     * The tracks of a source the final video takes from it ({@link MediaCommands#tracks}), or null when it has no
     * audio and no text subtitles (its chapters alone are not kept).
     */
    public static Tracks tracks(VideoProbe probe) {
        List<Boolean> audioCopied = probe.audioCodecs().stream().map(MP4_AUDIO::contains).toList();
        List<Integer> text = new ArrayList<>();
        for (int i = 0; i < probe.subtitleCodecs().size(); i++) {
            if (TEXT_SUBTITLES.contains(probe.subtitleCodecs().get(i))) {
                text.add(i);
            }
        }
        return audioCopied.isEmpty() && text.isEmpty() ? null : new Tracks(audioCopied, List.copyOf(text));
    }

    /**
     * @param audioCopied for each audio track in order, whether it is copied (else encoded as AAC)
     * @param textSubtitles the indexes, among the source's subtitle tracks, of those that are text
     */
    public record Tracks(List<Boolean> audioCopied, List<Integer> textSubtitles) {
    }
}
