package dev.headwater.projector.runtime;

/** What a projection does with an event it cannot apply once its retries are spent. */
public enum PoisonPolicy {
    /** Stop the projection at that event: state HALTED with the reason, health DOWN. */
    HALT,
    /**
     * Park the event and every later event of its aggregate in {@code projection.dead_letters};
     * every other aggregate goes on.
     */
    PARK
}
