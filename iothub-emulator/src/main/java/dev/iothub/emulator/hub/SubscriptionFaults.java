package dev.iothub.emulator.hub;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the hub misanswers SUBSCRIBE packets of an identity, for tests of devices facing a broken hub: either not at
 * all, or with a refusal (0x80) for chosen filters. Safe to change from any thread while devices connect.
 */
public final class SubscriptionFaults {

    private final Set<String> ignoring = ConcurrentHashMap.newKeySet();

    private final Map<String, Set<String>> refused = new ConcurrentHashMap<>();

    /** Makes the hub leave every later SUBSCRIBE of the identity unanswered, or answer them again. */
    public void ignore(String id, boolean ignore) {
        if (ignore) {
            this.ignoring.add(id);
        }
        else {
            this.ignoring.remove(id);
        }
    }

    /** Makes the hub refuse (0x80) later subscriptions of the identity to exactly this filter. */
    public void refuse(String id, String filter) {
        this.refused.computeIfAbsent(id, (key) -> ConcurrentHashMap.newKeySet()).add(filter);
    }

    /** Removes every fault of the identity. */
    public void clear(String id) {
        this.ignoring.remove(id);
        this.refused.remove(id);
    }

    /** Whether SUBSCRIBEs of the identity go unanswered. */
    public boolean ignores(String id) {
        return this.ignoring.contains(id);
    }

    /** Whether a subscription of the identity to this filter is refused. */
    public boolean refuses(String id, String filter) {
        Set<String> filters = this.refused.get(id);
        return filters != null && filters.contains(filter);
    }

}
