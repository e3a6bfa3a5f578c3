package dev.iothub.spring.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of an IoT Hub device connection.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public enum IotHubObservation implements ObservationDocumentation {

    /** A telemetry send, from {@code send} to the hub's PUBACK or the failure. */
    TELEMETRY_SEND {

        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultIotHubTelemetryObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] { LowCardinalityKeys.DEVICE, LowCardinalityKeys.MODULE, LowCardinalityKeys.OUTCOME };
        }

    },

    /** An invocation of an application handler (direct method, desired properties, cloud-to-device). */
    HANDLER {

        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultIotHubHandlerObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] { LowCardinalityKeys.DEVICE, LowCardinalityKeys.MODULE,
                    LowCardinalityKeys.HANDLER_KIND, LowCardinalityKeys.HANDLER_NAME, LowCardinalityKeys.STATUS };
        }

    },

    /** A twin request, from publish to the hub's answer. */
    TWIN_REQUEST {

        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultIotHubTwinObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] { LowCardinalityKeys.DEVICE, LowCardinalityKeys.MODULE,
                    LowCardinalityKeys.TWIN_OPERATION, LowCardinalityKeys.STATUS };
        }

    };

    /** The low-cardinality keys of the default conventions. */
    public enum LowCardinalityKeys implements KeyName {

        /** The device id. */
        DEVICE("iothub.device"),

        /** The module id, {@code none} for a device identity. */
        MODULE("iothub.module"),

        /** How a telemetry send ended. */
        OUTCOME("iothub.outcome"),

        /** {@code direct-method}, {@code desired-properties} or {@code cloud-to-device}. */
        HANDLER_KIND("iothub.handler.kind"),

        /** The direct-method name, or the handler kind. */
        HANDLER_NAME("iothub.handler.name"),

        /** {@code get} or {@code patch}. */
        TWIN_OPERATION("iothub.twin.operation"),

        /** The status of a handler invocation or twin request. */
        STATUS("iothub.status");

        private final String key;

        LowCardinalityKeys(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return this.key;
        }

    }

}
