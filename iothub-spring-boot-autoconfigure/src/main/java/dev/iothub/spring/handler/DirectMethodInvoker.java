package dev.iothub.spring.handler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.annotation.MethodResponse;
import dev.iothub.spring.inbound.DirectMethodHandler;
import dev.iothub.spring.inbound.DirectMethodRequest;
import dev.iothub.spring.inbound.DirectMethodResponse;
import dev.iothub.spring.messaging.IotHubHeaders;
import dev.iothub.spring.messaging.IotHubPayloadWriter;

/**
 * Invokes a {@link DirectMethod} handler method and turns its outcome into the method's response.
 */
final class DirectMethodInvoker implements DirectMethodHandler {

    private static final Log logger = LogFactory.getLog(DirectMethodInvoker.class);

    private final HandlerMethodEndpoint endpoint;

    private final InvocableHandlerMethod method;

    private final IotHubPayloadWriter payloadWriter;

    DirectMethodInvoker(HandlerMethodEndpoint endpoint, IotHubHandlerMethodFactory factory) {
        this.endpoint = endpoint;
        this.method = factory.create(endpoint.bean(), endpoint.method());
        this.payloadWriter = factory.payloadWriter();
    }

    @Override
    public DirectMethodResponse handle(DirectMethodRequest request) {
        return handleAsync(request).toCompletableFuture().join();
    }

    @Override
    public CompletionStage<DirectMethodResponse> handleAsync(DirectMethodRequest request) {
        Message<byte[]> message = MessageBuilder.withPayload(request.payload())
            .setHeader(IotHubHeaders.METHOD_NAME, request.methodName())
            .setHeader(IotHubHeaders.REQUEST_ID, request.requestId())
            .setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON)
            .build();
        Object result;
        try {
            result = this.method.invoke(message, request);
        }
        catch (Exception ex) {
            return CompletableFuture.completedFuture(failure(request, ex));
        }
        if (result instanceof CompletionStage<?> stage) {
            return stage.handle((value, ex) -> (ex != null) ? failure(request, unwrap(ex)) : success(value));
        }
        return CompletableFuture.completedFuture(success(result));
    }

    private DirectMethodResponse success(@Nullable Object result) {
        if (result instanceof MethodResponse response) {
            return new DirectMethodResponse(response.status(), this.payloadWriter.writeJson(response.body()));
        }
        return new DirectMethodResponse(200, this.payloadWriter.writeJson(result));
    }

    private DirectMethodResponse failure(DirectMethodRequest request, Throwable ex) {
        boolean badRequest = ex instanceof MethodArgumentResolutionException || ex instanceof MessageConversionException;
        if (badRequest) {
            logger.warn("Direct method '" + request.methodName() + "' (" + this.endpoint.description()
                    + ") received a payload it cannot bind; answering 400: " + ex.getMessage());
        }
        else {
            logger.error("Direct method '" + request.methodName() + "' (" + this.endpoint.description()
                    + ") failed; answering 500", ex);
        }
        return DirectMethodResponse.error(badRequest ? 400 : 500,
                badRequest ? "BadRequest" : ex.getClass().getSimpleName(), String.valueOf(ex.getMessage()));
    }

    private static Throwable unwrap(Throwable ex) {
        return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
    }

}
