package dev.headwater.local;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the stack's start-up as named steps, saying what each does, how long it took, and how to fix a failure. */
final class Steps {

    private static final Logger log = LoggerFactory.getLogger("headwater.local");

    private final int total;
    private int current;

    Steps(int total) {
        this.total = total;
    }

    <T> T run(String name, Supplier<T> step) {
        current++;
        log.info("[{}/{}] {} ...", current, total, name);
        long started = System.nanoTime();
        try {
            T result = step.get();
            log.info("[{}/{}] {} done in {} ms", current, total, name, (System.nanoTime() - started) / 1_000_000);
            return result;
        } catch (RuntimeException e) {
            throw new StepFailed(name, e);
        }
    }

    void run(String name, Runnable step) {
        run(name, () -> {
            step.run();
            return null;
        });
    }

    /** A step that failed; the message names the step and carries the reason (which says the fix). */
    static final class StepFailed extends RuntimeException {
        StepFailed(String step, RuntimeException cause) {
            super("Step '" + step + "' failed: " + cause.getMessage(), cause);
        }
    }
}
