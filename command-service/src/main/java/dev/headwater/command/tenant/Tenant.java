package dev.headwater.command.tenant;

import dev.headwater.command.controlplane.Resources;
import dev.headwater.contract.EventEnvelope;
import java.util.List;
import java.util.Optional;

/** A tenant aggregate as its events leave it. */
record Tenant(String id, Status status, Resources quota, long version) {

    enum Status {
        ACTIVE,
        SUSPENDED
    }

    static final String CREATED = "TenantCreated";
    static final String QUOTA_SET = "TenantQuotaSet";
    static final String SUSPENDED = "TenantSuspended";
    static final String REACTIVATED = "TenantReactivated";

    /** Folds the stream's events; empty when there are none. */
    static Optional<Tenant> fold(List<EventEnvelope> events) {
        Tenant tenant = null;
        for (EventEnvelope event : events) {
            tenant = switch (event.eventType()) {
                case CREATED ->
                    new Tenant(
                            event.aggregateId(),
                            Status.ACTIVE,
                            Resources.fromJson(event.payload().required("quota")),
                            event.aggregateVersion());
                case QUOTA_SET ->
                    require(tenant, event)
                            .with(Resources.fromJson(event.payload().required("quota")), event);
                case SUSPENDED -> require(tenant, event).with(Status.SUSPENDED, event);
                case REACTIVATED -> require(tenant, event).with(Status.ACTIVE, event);
                default ->
                    throw new IllegalStateException(
                            "tenant stream " + event.aggregateId() + " holds an unknown event " + event.eventType());
            };
        }
        return Optional.ofNullable(tenant);
    }

    private static Tenant require(Tenant tenant, EventEnvelope event) {
        if (tenant == null) {
            throw new IllegalStateException("tenant stream " + event.aggregateId() + " does not start with " + CREATED);
        }
        return tenant;
    }

    private Tenant with(Resources newQuota, EventEnvelope event) {
        return new Tenant(id, status, newQuota, event.aggregateVersion());
    }

    private Tenant with(Status newStatus, EventEnvelope event) {
        return new Tenant(id, newStatus, quota, event.aggregateVersion());
    }
}
