package dev.headwater.projector;

import dev.headwater.projector.runtime.CommitHook;
import java.sql.Connection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kills a projection's consumer loop after its batch is applied and before it commits, like a
 * {@code kill -9} at the worst moment: either at the n-th commit of each projection, or at the next
 * commit of each once {@link #arm()}ed.
 */
final class CrashingHook implements CommitHook {

    private final int atCommit;
    private volatile boolean armed;
    private final Map<String, AtomicInteger> commits = new ConcurrentHashMap<>();
    private final Set<String> crashed = ConcurrentHashMap.newKeySet();

    private CrashingHook(int atCommit, boolean armed) {
        this.atCommit = atCommit;
        this.armed = armed;
    }

    static CrashingHook atCommit(int n) {
        return new CrashingHook(n, true);
    }

    static CrashingHook whenArmed() {
        return new CrashingHook(1, false);
    }

    void arm() {
        armed = true;
        commits.clear();
    }

    Set<String> crashed() {
        return Set.copyOf(crashed);
    }

    @Override
    public void beforeCommit(String projection, Connection connection, int events) {
        if (!armed || crashed.contains(projection)) {
            return;
        }
        if (commits.computeIfAbsent(projection, p -> new AtomicInteger()).incrementAndGet() == atCommit) {
            crashed.add(projection);
            throw new SimulatedKill("killed " + projection + " between apply and commit");
        }
    }

    /** What the hook throws: an Error, so the worker dies without cleanup, as a killed process would. */
    static final class SimulatedKill extends Error {
        SimulatedKill(String message) {
            super(message);
        }
    }
}
