package dev.iothub.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.iothub.spring.handler.DuplicateDirectMethodException;

/**
 * Explains a {@link DuplicateDirectMethodException} at startup: which method name is claimed by which handlers.
 */
class DuplicateDirectMethodFailureAnalyzer extends AbstractFailureAnalyzer<DuplicateDirectMethodException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DuplicateDirectMethodException cause) {
        return new FailureAnalysis(
                "The direct method '" + cause.getMethodName() + "' is handled by more than one @DirectMethod method: "
                        + String.join(", ", cause.getHandlers()) + ".",
                "Give each @DirectMethod a unique name, or remove all but one of these handlers.", cause);
    }

}
