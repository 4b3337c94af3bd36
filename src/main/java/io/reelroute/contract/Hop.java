package io.reelroute.contract;

/**
 * The hops a job's timeline shows, in pipeline order. A hop is known by the route group of its routes
 * (routes/*.camel.yaml), as the error policy knows it; {@link #POSTER} is the first part of the renditions hop.
 */
public enum Hop {
    /** Probe, split into segments and upload them (split-into-segments). */
    CHUNK("chunk"),
    /** One segment through the model (backend-work); the timeline keeps it per segment. */
    INFERENCE("inference"),
    /** The completion that found every segment done, to the reassembly hand-off (exactly-once-trigger). */
    COMPLETION("completion"),
    /** Join the segments into final.mp4 (join-segments). */
    REASSEMBLY("reassembly"),
    /** The renditions pipeline's poster still (poster-frame). */
    POSTER("poster"),
    /** The renditions pipeline's whole run: poster and MP4 renditions (mp4-renditions). */
    RENDITIONS("renditions"),
    /** The HLS package: submitted (package-hls, or the local packager) to ready or failed; every pipeline's last. */
    PACKAGING("packaging");

    private final String wireName;

    Hop(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the API, the job record's attributes and the hop tag of the hop metrics. */
    public String wireName() {
        return wireName;
    }

    /** The hop whose routes carry this route group; null for routes that are no hop of the timeline. */
    public static Hop ofRouteGroup(String group) {
        return switch (group == null ? "" : group) {
            case "chunk" -> CHUNK;
            case "inference" -> INFERENCE;
            case "completion" -> COMPLETION;
            case "reassembly" -> REASSEMBLY;
            case "transcode-submit" -> PACKAGING;
            case "renditions" -> RENDITIONS;
            default -> null;
        };
    }
}
