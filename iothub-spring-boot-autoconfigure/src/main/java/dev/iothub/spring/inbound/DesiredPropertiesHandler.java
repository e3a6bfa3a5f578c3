package dev.iothub.spring.inbound;

/**
 * Handles desired-property changes. Updates arrive in {@code $version} order and never twice for one version.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@FunctionalInterface
public interface DesiredPropertiesHandler {

    /**
     * Handles an update.
     *
     * @param update the update
     * @throws Exception to log the failure
     */
    void handle(DesiredPropertiesUpdate update) throws Exception;

}
