package dev.headwater.command.controlplane;

/**
 * The largest quantities a request may name. Far above any real machine, low enough that sums over
 * every allocation of a tenant can never overflow.
 */
public final class Quantities {

    /** One million cores. */
    public static final long MAX_CPU_MILLIS = 1_000_000_000L;
    /** About 9.5 PiB. */
    public static final long MAX_MEMORY_MIB = 10_000_000_000L;

    public static final long MAX_GPUS = 1_000_000L;

    private Quantities() {}
}
