package dev.headwater.projector.runtime;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Sorts database errors: transient ones (connection lost, serialization failure, deadlock, server
 * shutting down, out of resources) are retried without limit; every other error is permanent for
 * the batch at hand.
 */
final class Transience {

    private Transience() {}

    static boolean isTransient(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
                return true;
            }
            if (e instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") // connection exception
                        || state.startsWith("40") // serialization failure, deadlock
                        || state.startsWith("53") // insufficient resources
                        || state.equals("57P01") // admin shutdown
                        || state.equals("57P02") // crash shutdown
                        || state.equals("57P03") // cannot connect now
                        || state.equals("55P03")) { // lock not available
                    return true;
                }
            }
        }
        return false;
    }
}
