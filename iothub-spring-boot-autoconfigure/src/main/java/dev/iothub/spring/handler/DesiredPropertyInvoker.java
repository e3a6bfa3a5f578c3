package dev.iothub.spring.handler;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;
import org.springframework.util.StringUtils;

import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.inbound.DesiredPropertiesHandler;
import dev.iothub.spring.inbound.DesiredPropertiesUpdate;
import dev.iothub.spring.messaging.IotHubHeaders;
import dev.iothub.spring.twin.IotHubTwinTemplate;

/**
 * Invokes a {@link DesiredPropertyListener} method: with the whole patch, or with one property's value when it
 * changed, optionally acknowledging it in the reported properties (IoT Plug and Play convention).
 */
final class DesiredPropertyInvoker implements DesiredPropertiesHandler {

    private static final Log logger = LogFactory.getLog(DesiredPropertyInvoker.class);

    private static final int MAX_DESCRIPTION = 200;

    private final HandlerMethodEndpoint endpoint;

    private final InvocableHandlerMethod method;

    private final JsonMapper jsonMapper;

    private final String[] path;

    private final boolean acknowledge;

    private final IotHubTwinTemplate twinTemplate;

    private JsonNode lastValue = MissingNode.getInstance();

    DesiredPropertyInvoker(HandlerMethodEndpoint endpoint, DesiredPropertyListener listener,
            IotHubHandlerMethodFactory factory, IotHubTwinTemplate twinTemplate) {
        this.endpoint = endpoint;
        this.method = factory.create(endpoint.bean(), endpoint.method());
        this.jsonMapper = factory.jsonMapper();
        this.path = listener.value().isEmpty() ? new String[0] : listener.value().split("\\.");
        this.acknowledge = listener.acknowledge() && this.path.length > 0;
        this.twinTemplate = twinTemplate;
    }

    @Override
    public void handle(DesiredPropertiesUpdate update) throws Exception {
        if (!(this.jsonMapper.readTree(update.payload()) instanceof ObjectNode document)) {
            throw new IllegalArgumentException("Desired properties $version " + update.version()
                    + " are not a JSON object");
        }
        document.remove("$version");
        if (this.path.length == 0) {
            invoke(update, MessageBuilder.withPayload(this.jsonMapper.writeValueAsBytes(document)));
            return;
        }
        JsonNode value = lookup(document);
        if (value.isMissingNode() && update.complete() && !this.lastValue.isMissingNode()) {
            value = NullNode.getInstance();
        }
        if (value.isMissingNode() || value.equals(this.lastValue)) {
            return;
        }
        this.lastValue = value;
        Exception failure = null;
        try {
            invoke(update, MessageBuilder.withPayload(this.jsonMapper.writeValueAsBytes(value))
                .setHeader(DesiredPropertyValueArgumentResolver.VALUE_HEADER, new DesiredPropertyValue(value))
                .setHeader(IotHubHeaders.DESIRED_PROPERTY, String.join(".", this.path)));
        }
        catch (Exception ex) {
            failure = ex;
            throw ex;
        }
        finally {
            if (this.acknowledge && !value.isNull()) {
                acknowledge(value, update.version(), failure);
            }
        }
    }

    private void invoke(DesiredPropertiesUpdate update, MessageBuilder<byte[]> builder) throws Exception {
        Message<byte[]> message = builder.setHeader(IotHubHeaders.TWIN_VERSION, update.version())
            .setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON)
            .build();
        this.method.invoke(message, update);
    }

    private JsonNode lookup(JsonNode document) {
        JsonNode node = document;
        for (String segment : this.path) {
            if (node.isNull()) {
                return node;
            }
            node = node.path(segment);
            if (node.isMissingNode()) {
                return node;
            }
        }
        return node;
    }

    private void acknowledge(JsonNode value, long version, @Nullable Exception failure) {
        ObjectNode patch = this.jsonMapper.createObjectNode();
        ObjectNode parent = patch;
        for (int i = 0; i < this.path.length - 1; i++) {
            parent = parent.putObject(this.path[i]);
        }
        ObjectNode ack = parent.putObject(this.path[this.path.length - 1]);
        ack.set("value", value);
        ack.put("ac", (failure != null) ? 500 : 200);
        ack.put("av", version);
        ack.put("ad", (failure != null) ? StringUtils.truncate(String.valueOf(failure.getMessage()), MAX_DESCRIPTION)
                : "completed");
        this.twinTemplate.updateReportedProperties(patch).whenComplete((reportedVersion, ex) -> {
            if (ex != null) {
                logger.warn("Could not acknowledge desired property '" + String.join(".", this.path) + "' ("
                        + this.endpoint.description() + "): " + ex.getMessage());
            }
        });
    }

}
