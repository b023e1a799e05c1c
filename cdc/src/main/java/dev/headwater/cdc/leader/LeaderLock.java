package dev.headwater.cdc.leader;

import java.util.Optional;

/**
 * The right to be the one active reader of a slot. A Postgres session-level advisory lock, held on
 * a connection of its own: when the holder's session ends (crash, kill, network loss noticed by the
 * server) Postgres releases the lock and a standby takes it.
 */
public interface LeaderLock extends AutoCloseable {

    /** Tries once to take the lock; true when this instance holds it now. Never blocks on the lock. */
    boolean tryAcquire();

    /** Whether the lock is still held: its session is alive. False when not acquired. */
    boolean isHeld();

    /** The backend pid of the session holding the lock, for fencing writes (see the offset store). */
    int holderPid();

    /** Why the last attempt to take the lock could not even ask (database unreachable), if it failed so. */
    Optional<String> lastError();

    /** Gives the lock up and closes its session. */
    @Override
    void close();
}
