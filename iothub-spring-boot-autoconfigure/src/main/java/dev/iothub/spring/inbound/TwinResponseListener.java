package dev.iothub.spring.inbound;

import dev.iothub.protocol.HubTopic;

/**
 * Receives responses to twin requests. Called on Paho's callback thread; must not block.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@FunctionalInterface
public interface TwinResponseListener {

    /**
     * A response arrived.
     *
     * @param response the parsed topic (status, request id, version)
     * @param payload the body
     * @return whether the response answers a request that waits for it; the router warns about the others
     */
    boolean twinResponse(HubTopic.TwinResponse response, byte[] payload);

}
