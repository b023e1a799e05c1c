package dev.headwater.cdc.relay;

import dev.headwater.cdc.slot.SlotMonitor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while this instance runs the engine as leader, or stands by while another instance leads;
 * DOWN when it leads but the engine is not running (starting, backing off, failed), when it cannot
 * reach the database to compete for the lock, or when it stopped.
 */
final class RelayHealthIndicator implements HealthIndicator {

    private final RelaySupervisor supervisor;
    private final SlotMonitor slot;

    RelayHealthIndicator(RelaySupervisor supervisor, SlotMonitor slot) {
        this.supervisor = supervisor;
        this.slot = slot;
    }

    @Override
    public Health health() {
        RelayState state = supervisor.state();
        boolean healthy = state == RelayState.RUNNING
                || state == RelayState.STANDBY && supervisor.standbyProblem().isEmpty();
        Health.Builder health = healthy ? Health.up() : Health.down();
        supervisor.standbyProblem().ifPresent(problem -> health.withDetail("lockError", problem));
        health.withDetail("state", state.name());
        health.withDetail("role", state.isLeader() ? "leader" : "standby");
        supervisor.stateSince().ifPresent(since -> health.withDetail("since", since.toString()));
        supervisor.lastFailure().ifPresent(failure -> health.withDetail("lastFailure", failure));
        slot.last().ifPresent(sample -> {
            health.withDetail("slotExists", sample.exists());
            health.withDetail("slotRetainedWalBytes", sample.retainedWalBytes());
            if (sample.walStatus() != null) {
                health.withDetail("slotWalStatus", sample.walStatus());
            }
        });
        return health.build();
    }
}
