package io.reelroute.contract;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A job's status moves forward only: created → chunking_in_progress → chunking_complete → reassembling →
 * completed, or to failed from any status that is not terminal. Skipping forward is allowed (events may
 * arrive out of order, and a job may be created after its upload was seen); moving back never is, and
 * terminal statuses never change. Writers turn {@link #predecessors()} into the condition of their write,
 * so a late or repeated event can't move a job backwards.
 */
public enum JobStatus {
    CREATED,
    CHUNKING_IN_PROGRESS,
    CHUNKING_COMPLETE,
    REASSEMBLING,
    COMPLETED,
    FAILED;

    /** The name in table items and APIs. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus fromWireName(String wireName) {
        for (JobStatus status : values()) {
            if (status.wireName().equals(wireName)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown job status " + Quote.of(wireName));
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED;
    }

    /** The statuses a job may move from into this one: the condition of a conditional write. */
    public Set<JobStatus> predecessors() {
        Set<JobStatus> from = EnumSet.noneOf(JobStatus.class);
        for (JobStatus status : values()) {
            if (status.canMoveTo(this)) {
                from.add(status);
            }
        }
        return from;
    }

    /**
     * Whether a job in this status may move to {@code next}. Staying put is not a move, so
     * {@code canMoveTo(this)} is false; but under at-least-once delivery a repeated event finds the job
     * already in the status it wants, and callers may treat "already there" as success rather than as a
     * rejected move.
     */
    public boolean canMoveTo(JobStatus next) {
        if (next == null || isTerminal() || next == this || next == CREATED) {
            return false;
        }
        return next == FAILED || next.ordinal() > ordinal();
    }
}
