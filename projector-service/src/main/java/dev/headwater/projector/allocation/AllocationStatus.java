package dev.headwater.projector.allocation;

/** The values of {@code allocations.status}. */
final class AllocationStatus {
    static final String ACTIVE = "active";
    static final String RELEASED = "released";

    private AllocationStatus() {}
}
