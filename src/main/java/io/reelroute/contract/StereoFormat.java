package io.reelroute.contract;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a stereo job packs its two views into one frame, as 3D players name it. Each format knows its frame (from
 * the source's), the suffix players look for in a file name, and the H.264 frame-packing arrangement that
 * signals it ({@code 0} for none: cross-eyed and anaglyph are not signalled, a player would show them wrong).
 */
public enum StereoFormat {
    /** Left view on the left, each at the source's size: twice as wide. */
    FULL_SBS("full-sbs", "_LRF_Full_SBS", 3),
    /** Left view on the left, each squeezed to half the width: the source's size. */
    HALF_SBS("half-sbs", "_LR", 3),
    /** Left view on top, each at the source's size: twice as tall. */
    FULL_TB("full-tb", "_TBF_fulltb", 4),
    /** Left view on top, each squeezed to half the height: the source's size. */
    HALF_TB("half-tb", "_TB", 4),
    /** Right view on the left, for viewing with crossed eyes: twice as wide. */
    CROSS_EYED("cross-eyed", "_RLF_cross", 0),
    /** Both views in one frame, through coloured glasses: the source's size. */
    ANAGLYPH("anaglyph", "_anaglyph", 0);

    private final String id;
    private final String playerTag;
    private final int framePacking;

    StereoFormat(String id, String playerTag, int framePacking) {
        this.id = id;
        this.playerTag = playerTag;
        this.framePacking = framePacking;
    }

    /** The id in params, APIs and logs. */
    public String id() {
        return id;
    }

    /** The suffix of a download's file name that players recognise the format by ({@code title_LRF_Full_SBS.mp4}). */
    public String playerTag() {
        return playerTag;
    }

    /** x264's {@code frame-packing} value (3 side by side, 4 top and bottom), or 0 where nothing is signalled. */
    public int framePacking() {
        return framePacking;
    }

    /** The output frame's width for a source {@code width} wide. */
    public int width(int width) {
        return this == FULL_SBS || this == CROSS_EYED ? 2 * width : width;
    }

    /** The output frame's height for a source {@code height} tall. */
    public int height(int height) {
        return this == FULL_TB ? 2 * height : height;
    }

    /**
     * The two-valued mode of models written before formats ({@code sbs} or {@code anaglyph}), which the remote
     * backends' requests still carry and segment keys name.
     */
    public Mode mode() {
        return this == ANAGLYPH ? Mode.ANAGLYPH : Mode.SBS;
    }

    /** The format an old {@code mode} asks for: {@code sbs} is full side-by-side. */
    public static StereoFormat ofMode(Mode mode) {
        return mode == Mode.ANAGLYPH ? ANAGLYPH : FULL_SBS;
    }

    /** Strict: only the exact id. */
    public static StereoFormat fromId(String id) {
        for (StereoFormat format : values()) {
            if (format.id.equals(id)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown stereo format " + Quote.of(id) + "; allowed: "
                + Arrays.stream(values()).map(StereoFormat::id).collect(Collectors.joining(", ")));
    }
}
