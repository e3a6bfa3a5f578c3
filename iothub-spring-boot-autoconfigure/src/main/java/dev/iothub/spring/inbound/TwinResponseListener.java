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
     */
    void twinResponse(HubTopic.TwinResponse response, byte[] payload);

}
