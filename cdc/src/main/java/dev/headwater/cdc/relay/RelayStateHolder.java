package dev.headwater.cdc.relay;

import org.jspecify.annotations.Nullable;

/** Lets meters registered before the supervisor exists read its state later. */
final class RelayStateHolder {

    private volatile @Nullable RelaySupervisor supervisor;

    void attach(RelaySupervisor supervisor) {
        this.supervisor = supervisor;
    }

    RelayState state() {
        RelaySupervisor attached = supervisor;
        return attached == null ? RelayState.NEW : attached.state();
    }
}
