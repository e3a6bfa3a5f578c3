package dev.iothub.emulator.rest;

import java.util.function.Consumer;

/** A source of server-sent events for {@link RestResponse#events(EventStream)}. */
@FunctionalInterface
interface EventStream {

    /**
     * Starts sending events.
     *
     * @param sink takes each event, whole ({@code event: ...\ndata: ...\n\n}); it never blocks
     * @return what stops the events, run when the client goes away
     */
    Runnable open(Consumer<String> sink);
}
