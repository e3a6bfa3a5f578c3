package dev.iothub.spring.handler;

import java.util.List;

/**
 * Two or more handler methods declare the same {@link dev.iothub.spring.annotation.DirectMethod} name.
 */
public class DuplicateDirectMethodException extends IllegalStateException {

    private final String methodName;

    private final List<String> handlers;

    /**
     * Creates the exception.
     *
     * @param methodName the direct method's name
     * @param handlers the handler methods, as {@code beanName.methodName}
     */
    public DuplicateDirectMethodException(String methodName, List<String> handlers) {
        super("Direct method '" + methodName + "' has more than one @DirectMethod handler: "
                + String.join(", ", handlers));
        this.methodName = methodName;
        this.handlers = List.copyOf(handlers);
    }

    /** The direct method's name. */
    public String getMethodName() {
        return this.methodName;
    }

    /** The handler methods, as {@code beanName.methodName}. */
    public List<String> getHandlers() {
        return this.handlers;
    }

}
