package dev.iothub.emulator.rest;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.iothub.emulator.ServiceEndpoint;
import dev.iothub.emulator.hub.Json;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.UrlEncoding;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Decides whether a request may reach its route, before it does: its {@code Host} must name the emulator
 * ({@code 421}, against DNS rebinding), a state-changing request from a browser must come from the emulator's own
 * origin ({@code 403}, against cross-site requests), and its {@code Authorization} must be a valid service SAS token
 * of a shared access policy ({@code 401} in IoT Hub's shape) when present or when the endpoint requires one.
 */
final class ServiceRequestGuard {

    /** The emulator's own error code for a request that names a host the emulator does not serve. */
    static final int MISDIRECTED = 421000;

    /** The emulator's own error code for a cross-origin state-changing request. */
    static final int CROSS_ORIGIN = 403000;

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private static final Pattern IP_V4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss", Locale.ROOT)
        .withZone(ZoneOffset.UTC);

    private final ServiceEndpoint.Access access;

    private final Set<String> hostNames;

    ServiceRequestGuard(ServiceEndpoint.Access access) {
        this.access = access;
        this.hostNames = access.hostNames()
            .stream()
            .map((name) -> name.toLowerCase(Locale.ROOT))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * The refusal of a request before routing (a foreign {@code Host} or {@code Origin}), or {@code null} to go on.
     *
     * @param host the {@code Host} header, or {@code null} (a client that is not a browser may leave it out)
     * @param origin the {@code Origin} header, or {@code null}
     */
    @Nullable RestResponse refuseForeign(String method, @Nullable String host, @Nullable String origin) {
        if (host != null && !servesHost(hostName(host))) {
            return RestResponse.error(421, MISDIRECTED, "This emulator does not serve host " + hostName(host)
                    + "; add the name with --tls-san", Map.of());
        }
        if (origin != null && !SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT))
                && (host == null || !sameAuthority(origin, host))) {
            return RestResponse.error(403, CROSS_ORIGIN, "Cross-origin requests that change state are refused (Origin "
                    + origin + ")", Map.of());
        }
        return null;
    }

    /** The {@code 401} for a request whose {@code Authorization} is missing (when required) or invalid, or null. */
    @Nullable RestResponse refuseUnauthorized(@Nullable String authorization) {
        if (authorization == null) {
            return this.access.authenticationRequired() ? unauthorized("The request needs an Authorization header "
                    + "with a service SharedAccessSignature") : null;
        }
        SasToken token;
        try {
            token = SasToken.parse(authorization);
        }
        catch (IllegalArgumentException ex) {
            return unauthorized(ex.getMessage());
        }
        String key = (token.keyName() != null) ? this.access.policies().get(UrlEncoding.decode(token.keyName())) : null;
        if (key == null) {
            return unauthorized("The token names no shared access policy of this hub (skn)");
        }
        if (!UrlEncoding.decode(token.resource()).equalsIgnoreCase(this.access.hubName())) {
            return unauthorized("The token's scope (sr) is not the hub " + this.access.hubName());
        }
        if (!token.isSignedWith(key)) {
            return unauthorized("The token's signature does not match the policy's key");
        }
        if (token.isExpiredAt(this.access.clock().instant())) {
            return unauthorized("The token expired at " + token.expiry());
        }
        return null;
    }

    /** IoT Hub's 401 answer: {@code {"Message":"ErrorCode:IotHubUnauthorizedAccess;Unauthorized",...}}. */
    private RestResponse unauthorized(String reason) {
        ObjectNode body = Json.MAPPER.createObjectNode()
            .put("Message", "ErrorCode:IotHubUnauthorizedAccess;Unauthorized")
            .put("ExceptionMessage", "Tracking ID:" + UUID.randomUUID().toString().replace("-", "") + "-G:0-TimeStamp:"
                    + TIMESTAMP.format(this.access.clock().instant()) + " " + reason);
        return new RestResponse(401, Map.of("iothub-errorcode", "IotHubUnauthorizedAccess"), body);
    }

    private boolean servesHost(String name) {
        return this.hostNames.contains(name) || IP_V4.matcher(name).matches() || name.startsWith("[");
    }

    /** The host of a {@code Host} header, without port, in lower case; IPv6 literals keep their brackets. */
    private static String hostName(String host) {
        String name = host.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            return (end > 0) ? name.substring(0, end + 1) : name;
        }
        int colon = name.lastIndexOf(':');
        return (colon >= 0) ? name.substring(0, colon) : name;
    }

    private static boolean sameAuthority(String origin, String host) {
        try {
            URI uri = new URI(origin);
            if (uri.getHost() == null) {
                return false;
            }
            int port = (uri.getPort() >= 0) ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            int defaultPort = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            String name = hostName(host);
            String hostPort = host.strip().substring(Math.min(host.strip().length(), hostPortStart(host.strip())));
            int requestPort = hostPort.isEmpty() ? defaultPort : Integer.parseInt(hostPort);
            return uri.getHost().equalsIgnoreCase(name) && port == requestPort;
        }
        catch (URISyntaxException | NumberFormatException ex) {
            return false;
        }
    }

    private static int hostPortStart(String host) {
        int end = host.startsWith("[") ? host.indexOf(']') : -1;
        int colon = host.indexOf(':', Math.max(end, 0));
        return (colon >= 0) ? colon + 1 : host.length();
    }
}
