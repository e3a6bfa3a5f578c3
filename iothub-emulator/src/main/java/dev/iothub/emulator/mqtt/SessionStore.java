package dev.iothub.emulator.mqtt;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The persistent (CleanSession=0) sessions, by identity id.
 */
public final class SessionStore {

    private final ConcurrentMap<String, DeviceSession> sessions = new ConcurrentHashMap<>();

    /**
     * Opens the session for a new connection.
     *
     * @param cleanSession whether the client asked for a fresh session
     * @return the session and whether a stored one was resumed
     */
    Opened open(String identityId, boolean cleanSession) {
        if (cleanSession) {
            DeviceSession fresh = new DeviceSession();
            this.sessions.put(identityId, fresh);
            return new Opened(fresh, false);
        }
        DeviceSession existing = this.sessions.get(identityId);
        if (existing != null) {
            return new Opened(existing, true);
        }
        DeviceSession created = new DeviceSession();
        DeviceSession raced = this.sessions.putIfAbsent(identityId, created);
        return (raced != null) ? new Opened(raced, true) : new Opened(created, false);
    }

    /** Ends a clean session, unless a newer connection already replaced it. */
    void discard(String identityId, DeviceSession session) {
        this.sessions.remove(identityId, session);
    }

    /** Forgets every session of an identity (when it is deleted). */
    public void forget(String identityId) {
        this.sessions.remove(identityId);
    }

    record Opened(DeviceSession session, boolean present) {
    }
}
