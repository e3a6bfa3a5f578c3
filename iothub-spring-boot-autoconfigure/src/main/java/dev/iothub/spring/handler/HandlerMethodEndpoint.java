package dev.iothub.spring.handler;

import java.lang.reflect.Method;

/**
 * An annotated handler method found on a bean.
 *
 * @param bean the bean (possibly a proxy)
 * @param beanName the bean's name
 * @param method the method to invoke on the bean
 */
record HandlerMethodEndpoint(Object bean, String beanName, Method method) {

    /** {@code beanName.methodName}, for messages. */
    String description() {
        return this.beanName + "." + this.method.getName();
    }

}
