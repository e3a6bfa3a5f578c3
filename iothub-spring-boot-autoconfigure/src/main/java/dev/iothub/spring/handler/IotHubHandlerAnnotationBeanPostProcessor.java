package dev.iothub.spring.handler;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

import dev.iothub.spring.annotation.C2DHandler;
import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.twin.IotHubTwinTemplate;

/**
 * Finds {@link DirectMethod}, {@link DesiredPropertyListener} and {@link C2DHandler} methods on beans (also behind
 * proxies, and through meta-annotations) and, once all singletons exist, registers them with the
 * {@link IotHubInboundRouter} before the connection starts.
 */
public class IotHubHandlerAnnotationBeanPostProcessor
        implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, ApplicationEventPublisherAware,
        Ordered {

    private static final Log logger = LogFactory.getLog(IotHubHandlerAnnotationBeanPostProcessor.class);

    private static final List<Class<? extends Annotation>> ANNOTATIONS = List.of(DirectMethod.class,
            DesiredPropertyListener.class, C2DHandler.class);

    private final Set<Class<?>> nonAnnotatedClasses = ConcurrentHashMap.newKeySet();

    private final IotHubHandlerEndpointRegistry registry = new IotHubHandlerEndpointRegistry();

    private final int cloudToDeviceMaxAttempts;

    private @Nullable ListableBeanFactory beanFactory;

    private @Nullable ApplicationEventPublisher eventPublisher;

    /**
     * Creates the post-processor.
     *
     * @param cloudToDeviceMaxAttempts how many times a failing cloud-to-device handler is tried
     */
    public IotHubHandlerAnnotationBeanPostProcessor(int cloudToDeviceMaxAttempts) {
        this.cloudToDeviceMaxAttempts = cloudToDeviceMaxAttempts;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (ListableBeanFactory) beanFactory;
    }

    @Override
    public void setApplicationEventPublisher(ApplicationEventPublisher eventPublisher) {
        this.eventPublisher = eventPublisher;
    }

    @Override
    public int getOrder() {
        return LOWEST_PRECEDENCE;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        if (this.nonAnnotatedClasses.contains(targetClass)
                || !AnnotationUtils.isCandidateClass(targetClass, ANNOTATIONS)) {
            return bean;
        }
        boolean found = collect(bean, beanName, targetClass, DirectMethod.class, this.registry::addDirectMethod)
                | collect(bean, beanName, targetClass, DesiredPropertyListener.class,
                        this.registry::addDesiredPropertyListener)
                | collect(bean, beanName, targetClass, C2DHandler.class, this.registry::addCloudToDeviceHandler);
        if (!found) {
            this.nonAnnotatedClasses.add(targetClass);
        }
        return bean;
    }

    private <A extends Annotation> boolean collect(Object bean, String beanName, Class<?> targetClass,
            Class<A> annotationType, BiConsumer<HandlerMethodEndpoint, A> sink) {
        Map<Method, A> methods = MethodIntrospector.selectMethods(targetClass,
                (MethodIntrospector.MetadataLookup<A>) (method) -> AnnotatedElementUtils.findMergedAnnotation(method,
                        annotationType));
        methods.forEach((method, annotation) -> sink.accept(
                new HandlerMethodEndpoint(bean, beanName, AopUtils.selectInvocableMethod(method, bean.getClass())),
                annotation));
        return !methods.isEmpty();
    }

    /** The annotated handler methods found, whether or not a connection is configured. */
    public IotHubHandlerMethods getHandlerMethods() {
        return this.registry.describe();
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (this.registry.isEmpty()) {
            return;
        }
        this.registry.validate();
        ListableBeanFactory beans = this.beanFactory;
        IotHubInboundRouter router = (beans != null) ? beans.getBeanProvider(IotHubInboundRouter.class).getIfAvailable()
                : null;
        if (beans == null || router == null || this.eventPublisher == null) {
            logger.warn("IoT Hub handler methods were found but no IoT Hub connection is configured; they stay idle");
            return;
        }
        IotHubHandlerMethodFactory factory = new IotHubHandlerMethodFactory(
                beans.getBeanProvider(JsonMapper.class).getIfAvailable(JsonMapper::new), beans,
                beans.getBeanProvider(IotHubHandlerConfigurer.class).orderedStream().toList());
        this.registry.registerWith(router, factory, beans.getBean(IotHubTwinTemplate.class), this.eventPublisher,
                this.cloudToDeviceMaxAttempts);
    }

}
