package dev.iothub.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link IotHubConfigurationException} at startup: which property is wrong and how to fix it.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
class IotHubConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<IotHubConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, IotHubConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
    }

}
