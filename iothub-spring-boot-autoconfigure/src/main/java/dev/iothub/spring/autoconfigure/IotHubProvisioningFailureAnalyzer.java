package dev.iothub.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.iothub.spring.provisioning.IotHubProvisioningException;

/**
 * Explains an {@link IotHubProvisioningException} at startup: why the Device Provisioning Service did not assign
 * the device, and what to check.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
class IotHubProvisioningFailureAnalyzer extends AbstractFailureAnalyzer<IotHubProvisioningException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, IotHubProvisioningException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
    }

}
