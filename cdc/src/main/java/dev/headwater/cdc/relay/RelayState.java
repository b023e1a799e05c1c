package dev.headwater.cdc.relay;

/** Where the relay's supervisor is. Transitions are listed in {@link RelaySupervisor}. */
public enum RelayState {
    /** Not started yet. */
    NEW,
    /** Waiting for the leader lock; another instance (or nobody, briefly) reads the slot. */
    STANDBY,
    /** Leader; the engine is being started. */
    STARTING,
    /** Leader; the engine streams and publishes. */
    RUNNING,
    /** Leader; the engine failed with a transient error and restarts after a backoff. */
    BACKING_OFF,
    /** Leader; the engine failed with a permanent error. Needs an operator. */
    FAILED,
    /** Shut down. */
    STOPPED;

    public boolean isLeader() {
        return this == STARTING || this == RUNNING || this == BACKING_OFF || this == FAILED;
    }
}
