package dev.iothub.benchmarks.client;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The sessions a client JVM keeps open between commands: the three used last, so that rounds alternating between two
 * brokers (or two fleets of connections, or the three channel stacks of one JVM) do not connect again for every run,
 * and never two for one target, since the hub drops a device's earlier connection when the same device connects
 * again.
 */
final class OpenSessions {

    static final int KEPT = 3;

    /** Opens a session. */
    @FunctionalInterface
    interface Opener {

        ClientSession open(Key key) throws Exception;
    }

    /** What a session is for: its stack, its devices, its window and its number of connections. */
    record Key(StackKind stack, Target target, int window, int connections) {

        Key {
            Objects.requireNonNull(stack);
            Objects.requireNonNull(target);
        }
    }

    /** Least recently used first. */
    private final Map<Key, ClientSession> open = new LinkedHashMap<>();

    /** The session of the key, opened (after closing what it replaces) unless it is open already. */
    ClientSession get(Key key, Opener opener) throws Exception {
        ClientSession session = this.open.remove(key);
        if (session == null) {
            close((other) -> other.target().equals(key.target()));
            while (this.open.size() >= KEPT) {
                Key eldest = this.open.keySet().iterator().next();
                close(eldest::equals);
            }
            session = opener.open(key);
        }
        this.open.put(key, session);
        return session;
    }

    void closeAll() throws Exception {
        close((all) -> true);
    }

    private void close(Predicate<Key> which) throws Exception {
        for (Iterator<Map.Entry<Key, ClientSession>> sessions = this.open.entrySet().iterator(); sessions.hasNext();) {
            Map.Entry<Key, ClientSession> session = sessions.next();
            if (which.test(session.getKey())) {
                sessions.remove();
                session.getValue().close();
            }
        }
    }

}
