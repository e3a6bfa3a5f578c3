package dev.iothub.protocol;

import java.util.Map;

import dev.iothub.protocol.HubTopic.Invalid;
import dev.iothub.protocol.HubTopic.Kind;
import org.jspecify.annotations.Nullable;

/**
 * The exact topic shapes of {@link HubTopic}. Each shape is a fixed prefix, a path ({@code {status}/},
 * {@code {name}/} or nothing) and a query after {@code ?}.
 */
final class HubTopicParser {

    private static final String DEVICEBOUND = "/messages/devicebound";

    private static final String TWIN_RESPONSE = "$iothub/twin/res/";

    private static final String DESIRED_PATCH = "$iothub/twin/PATCH/properties/desired/";

    private static final String METHOD_REQUEST = "$iothub/methods/POST/";

    private static final String SHAPE = "unexpected topic shape";

    private HubTopicParser() {
    }

    /**
     * Parses a topic.
     *
     * @param identityPrefix {@code devices/{d}[/modules/{m}]} of the receiving identity, or {@code null} to accept
     * cloud-to-device messages of any identity
     */
    static HubTopic parse(String topic, @Nullable String identityPrefix) {
        if (topic.startsWith("devices/")) {
            return cloudToDevice(topic, identityPrefix);
        }
        if (topic.startsWith(TWIN_RESPONSE)) {
            return twinResponse(topic.substring(TWIN_RESPONSE.length()));
        }
        if (topic.startsWith(DESIRED_PATCH)) {
            return desiredPatch(topic.substring(DESIRED_PATCH.length()));
        }
        if (topic.startsWith(METHOD_REQUEST)) {
            return methodRequest(topic.substring(METHOD_REQUEST.length()));
        }
        return new Invalid(Kind.UNKNOWN, "not a topic IoT Hub publishes to devices", null);
    }

    private static HubTopic cloudToDevice(String topic, @Nullable String identityPrefix) {
        int devicebound = topic.indexOf(DEVICEBOUND);
        if (devicebound < 0) {
            return new Invalid(Kind.UNKNOWN, "not a topic IoT Hub publishes to devices", null);
        }
        String identity = topic.substring(0, devicebound);
        if (!identity.equals((identityPrefix != null) ? identityPrefix : anyIdentity(identity))) {
            return new Invalid(Kind.CLOUD_TO_DEVICE, "addressed to another identity", null);
        }
        String rest = topic.substring(devicebound + DEVICEBOUND.length());
        if (!rest.isEmpty() && !rest.startsWith("/")) {
            return new Invalid(Kind.CLOUD_TO_DEVICE, SHAPE, null);
        }
        String bag = rest.isEmpty() ? rest : rest.substring(1);
        bag = bag.startsWith("?") ? bag.substring(1) : bag;
        Map<String, @Nullable String> properties = decode(bag);
        if (properties == null) {
            return new Invalid(Kind.CLOUD_TO_DEVICE, "malformed percent-encoding", null);
        }
        return new HubTopic.CloudToDevice(properties);
    }

    /** The identity part itself when it has the shape {@code devices/{d}} or {@code devices/{d}/modules/{m}}. */
    private static String anyIdentity(String identity) {
        String[] segments = identity.split("/", -1);
        boolean device = segments.length == 2 && !segments[1].isEmpty();
        boolean module = segments.length == 4 && !segments[1].isEmpty() && "modules".equals(segments[2])
                && !segments[3].isEmpty();
        return (device || module) ? identity : "";
    }

    private static HubTopic twinResponse(String rest) {
        Query query = Query.of(rest);
        Invalid invalid = query.checkRequest(Kind.TWIN_RESPONSE);
        if (invalid != null) {
            return invalid;
        }
        String status = query.segment();
        if (!status.matches("[0-9]{3}")) {
            return new Invalid(Kind.TWIN_RESPONSE, "status is not a three-digit number", query.requestId());
        }
        String versionText = query.values.get("$version");
        Long version = Topics.parseVersion(versionText);
        if (versionText != null && version == null) {
            return new Invalid(Kind.TWIN_RESPONSE, "$version is not a number", query.requestId());
        }
        return new HubTopic.TwinResponse(Integer.parseInt(status), query.requestId(), version);
    }

    private static HubTopic desiredPatch(String rest) {
        Query query = Query.of(rest);
        if (query.values == null) {
            return new Invalid(Kind.DESIRED_PATCH, "malformed percent-encoding", null);
        }
        if (!query.path.isEmpty()) {
            return new Invalid(Kind.DESIRED_PATCH, SHAPE, null);
        }
        String versionText = query.values.get("$version");
        if (versionText == null) {
            return new Invalid(Kind.DESIRED_PATCH, "no $version", null);
        }
        Long version = Topics.parseVersion(versionText);
        if (version == null) {
            return new Invalid(Kind.DESIRED_PATCH, "$version is not a number", null);
        }
        return new HubTopic.DesiredPatch(version);
    }

    private static HubTopic methodRequest(String rest) {
        Query query = Query.of(rest);
        Invalid invalid = query.checkRequest(Kind.METHOD_REQUEST);
        return (invalid != null) ? invalid : new HubTopic.MethodRequest(query.segment(), query.requestId());
    }

    private static @Nullable Map<String, @Nullable String> decode(String bag) {
        try {
            return PropertyBag.decode(bag);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    /**
     * A topic tail split at {@code ?}.
     *
     * @param path the part before {@code ?} (the whole tail when there is none)
     * @param values the decoded query, empty without {@code ?}, {@code null} when it cannot be decoded
     */
    private record Query(String path, @Nullable Map<String, @Nullable String> values) {

        static Query of(String tail) {
            int question = tail.indexOf('?');
            if (question < 0) {
                return new Query(tail, PropertyBag.empty());
            }
            return new Query(tail.substring(0, question), decode(tail.substring(question + 1)));
        }

        /** The non-empty {@code $rid}, or {@code null}. */
        @Nullable String requestId() {
            String requestId = this.values.get("$rid");
            return (requestId == null || requestId.isEmpty()) ? null : requestId;
        }

        /** The {@code x} of a path {@code x/}, or {@code null} when the path has another shape. */
        @Nullable String segment() {
            int slash = this.path.indexOf('/');
            return (slash > 0 && slash == this.path.length() - 1) ? this.path.substring(0, slash) : null;
        }

        /**
         * Checks the shape {@code {segment}/?$rid={rid}...} shared by twin responses and method requests.
         *
         * @return why the topic cannot be used, or {@code null}
         */
        @Nullable Invalid checkRequest(Kind kind) {
            if (this.values == null) {
                return new Invalid(kind, "malformed percent-encoding", null);
            }
            if (segment() == null) {
                return new Invalid(kind, SHAPE, requestId());
            }
            if (requestId() == null) {
                return new Invalid(kind, "no $rid", null);
            }
            return null;
        }

    }

}
