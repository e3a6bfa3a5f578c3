package dev.iothub.emulator.dps;

import dev.iothub.protocol.SasToken;

/** How a device session authenticated to the provisioning service. */
public sealed interface RegistrationCredential {

    /** A SAS token from the CONNECT password, verified when the device registers. */
    record Sas(SasToken token) implements RegistrationCredential {
    }

    /**
     * A TLS client certificate, checked at CONNECT: its common name is the registration id.
     *
     * @param thumbprint its SHA-256 thumbprint, lower-case hexadecimal
     */
    record Certificate(String thumbprint) implements RegistrationCredential {
    }
}
