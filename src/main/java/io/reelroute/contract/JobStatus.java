package io.reelroute.contract;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A job's status moves forward only: created → chunking_in_progress → chunking_complete → reassembling →
 * completed, or to failed from any status that is not terminal. Skipping forward is allowed (an API may
 * create a job after its upload was seen); moving back never is, and terminal statuses never change.
 * Writers turn {@link #predecessors()} into the condition of their write, so a late or repeated event
 * can't move a job backwards. Re-entering the status a job already has is not a move; callers that find
 * the job already there treat that as done.
 */
public enum JobStatus {
    CREATED,
    CHUNKING_IN_PROGRESS,
    CHUNKING_COMPLETE,
    REASSEMBLING,
    COMPLETED,
    FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus fromWireName(String wireName) {
        for (JobStatus status : values()) {
            if (status.wireName().equals(wireName)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown job status '" + wireName + "'");
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED;
    }

    /** The statuses a job may move from into this one. */
    public Set<JobStatus> predecessors() {
        Set<JobStatus> from = EnumSet.noneOf(JobStatus.class);
        for (JobStatus status : values()) {
            if (status.canMoveTo(this)) {
                from.add(status);
            }
        }
        return from;
    }

    public boolean canMoveTo(JobStatus next) {
        if (isTerminal() || next == CREATED || next == this) {
            return false;
        }
        return next == FAILED || next.ordinal() > ordinal();
    }
}
