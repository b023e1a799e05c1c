package dev.headwater.command.controlplane;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A quantity of compute: CPU in millicores, memory in MiB, GPUs as a count. Whole numbers, never
 * negative.
 */
public record Resources(long cpuMillis, long memoryMib, long gpus) {

    public static final Resources NONE = new Resources(0, 0, 0);

    public Resources {
        if (cpuMillis < 0 || memoryMib < 0 || gpus < 0) {
            throw new IllegalArgumentException("resource quantities are not negative: " + cpuMillis + "m CPU, "
                    + memoryMib + " MiB, " + gpus + " GPUs");
        }
    }

    public Resources plus(Resources other) {
        return new Resources(cpuMillis + other.cpuMillis, memoryMib + other.memoryMib, gpus + other.gpus);
    }

    /** Whether every quantity of this is at most the same quantity of {@code limit}. */
    public boolean fitsWithin(Resources limit) {
        return cpuMillis <= limit.cpuMillis && memoryMib <= limit.memoryMib && gpus <= limit.gpus;
    }

    public boolean isZero() {
        return cpuMillis == 0 && memoryMib == 0 && gpus == 0;
    }

    /** The catalogue's JSON form: always all three fields. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cpuMillis", cpuMillis);
        json.put("memoryMib", memoryMib);
        json.put("gpus", gpus);
        return json;
    }

    /** Reads the catalogue's JSON form from an event the service wrote itself. */
    public static Resources fromJson(JsonNode node) {
        return new Resources(
                node.required("cpuMillis").asLong(),
                node.required("memoryMib").asLong(),
                node.required("gpus").asLong());
    }
}
