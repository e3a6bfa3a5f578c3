package dev.iothub.protocol;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The kinds of subscription IoT Hub accepts from a device, recognised from the filters the hub documents plus the
 * aliases seen working against the real hub.
 */
public enum SubscriptionFilter {

    /** Cloud-to-device messages. */
    CLOUD_TO_DEVICE,

    /** Direct-method requests. */
    METHODS,

    /** Twin GET and PATCH responses. */
    TWIN_RESPONSES,

    /** Desired-property change notifications. */
    DESIRED_PROPERTIES;

    /**
     * Recognises a subscription filter for an identity.
     *
     * @return the kind, or empty when IoT Hub would refuse the filter
     */
    public static Optional<SubscriptionFilter> classify(String filter, String deviceId, @Nullable String moduleId) {
        if (Topics.METHODS_FILTER.equals(filter)) {
            return Optional.of(METHODS);
        }
        if (Topics.TWIN_RESPONSES_FILTER.equals(filter)) {
            return Optional.of(TWIN_RESPONSES);
        }
        if (Topics.DESIRED_PROPERTIES_FILTER.equals(filter)) {
            return Optional.of(DESIRED_PROPERTIES);
        }
        String identity = Topics.identityPrefix(deviceId, moduleId);
        boolean cloudToDevice = filter.equals(Topics.cloudToDeviceFilter(deviceId, moduleId)) || filter.equals("#")
                || (moduleId == null && filter.equals("devices/+/messages/devicebound/#"))
                || (moduleId != null && filter.equals(identity + "/#"));
        return cloudToDevice ? Optional.of(CLOUD_TO_DEVICE) : Optional.empty();
    }
}
