package dev.headwater.projector.runtime;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** DOWN while any projection is halted at a poison event (or its loop has died); details per projection. */
public final class ProjectionHealthIndicator implements HealthIndicator {

    private final ProjectionRuntime runtime;

    public ProjectionHealthIndicator(ProjectionRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Health health() {
        boolean down = false;
        Health.Builder builder = Health.up();
        for (ProjectionStatus status : runtime.status()) {
            boolean halted = status.state() == WorkerState.HALTED;
            boolean died = runtime.isRunning() && status.state() == WorkerState.STOPPED && status.lastError() != null;
            down |= halted || died;
            builder.withDetail(
                    status.name(),
                    halted
                            ? status.state() + ": " + status.haltReason()
                            : died
                                    ? "STOPPED: " + status.lastError()
                                    : status.state().name());
        }
        return down ? builder.down().build() : builder.build();
    }
}
