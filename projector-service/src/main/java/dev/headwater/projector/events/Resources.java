package dev.headwater.projector.events;

/** CPU in millicores, memory in MiB, GPUs as a count. */
public record Resources(long cpuMillis, long memoryMib, long gpus) {

    public static final Resources NONE = new Resources(0, 0, 0);

    public Resources plus(Resources other) {
        return new Resources(cpuMillis + other.cpuMillis, memoryMib + other.memoryMib, gpus + other.gpus);
    }

    public Resources minus(Resources other) {
        return new Resources(cpuMillis - other.cpuMillis, memoryMib - other.memoryMib, gpus - other.gpus);
    }
}
