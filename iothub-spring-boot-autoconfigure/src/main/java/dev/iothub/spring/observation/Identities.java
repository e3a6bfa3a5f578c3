package dev.iothub.spring.observation;

import org.jspecify.annotations.Nullable;

/** The tag value of an identity's module: the module id, or {@code none} for a device identity. */
final class Identities {

    static final String NO_MODULE = "none";

    private Identities() {
    }

    static String module(@Nullable String moduleId) {
        return (moduleId != null) ? moduleId : NO_MODULE;
    }

}
