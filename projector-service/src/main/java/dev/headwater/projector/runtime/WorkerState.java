package dev.headwater.projector.runtime;

/** States of a projection's consumer loop. */
public enum WorkerState {
    /** Creating the consumer and joining the group. */
    STARTING,
    /** Polling and applying batches. */
    RUNNING,
    /**
     * Polling and applying batches as in RUNNING while this instance builds a new generation of
     * the projection in the background; the loop switches to it when the rebuild swaps.
     */
    REBUILDING,
    /** Stopped at a poison event (policy HALT): partitions paused, waiting for retry or skip. */
    HALTED,
    /** Leaving the group; no new batch starts. */
    STOPPING,
    /** Done; the consumer is closed. */
    STOPPED
}
