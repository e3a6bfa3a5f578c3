package dev.iothub.emulator.rest;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.hub.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * {@code POST /devices/query}: IoT Hub's twin query, {@code {"query":"SELECT * FROM devices ..."}}, as the official
 * service SDK's {@code QueryClient} sends it, for a subset of the query language: {@code SELECT * FROM devices} with
 * an optional {@code WHERE} of {@code path = literal} comparisons joined by {@code AND}, a path into the twin
 * ({@code deviceId}, {@code connectionState}, {@code properties.reported.firmware}) and a literal in single quotes,
 * a number, {@code true} or {@code false}. It answers the matching device twins sorted by id, at most
 * {@code x-ms-max-item-count} of them (default {@value #DEFAULT_PAGE_SIZE}), with an {@code x-ms-continuation} token
 * for the next page while more remain. Any other query fails with {@code 400}.
 */
final class DeviceQueryResource {

    static final int DEFAULT_PAGE_SIZE = 100;

    static final int MAX_PAGE_SIZE = 1000;

    static final String CONTINUATION = "x-ms-continuation";

    static final String PAGE_SIZE = "x-ms-max-item-count";

    private static final Pattern QUERY = Pattern.compile(
            "\\s*SELECT\\s+\\*\\s+FROM\\s+devices(?:\\s+WHERE\\s+(.+?))?\\s*",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private static final Pattern CONDITION = Pattern.compile("\\s*([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*)\\s*=\\s*"
            + "('(?:[^']|'')*'|-?\\d+(?:\\.\\d+)?|true|false)\\s*(?:(AND)\\s+|$)", Pattern.CASE_INSENSITIVE);

    private final IotHubEmulator emulator;

    private final TwinResource twins;

    DeviceQueryResource(IotHubEmulator emulator, TwinResource twins) {
        this.emulator = emulator;
        this.twins = twins;
    }

    void addTo(RestRouter router) {
        router.add("POST", "/devices/query", this::query);
    }

    private RestResponse query(RestRequest request) {
        JsonNode query = request.requiredJsonObjectBody().path("query");
        if (!query.isString()) {
            throw RestRequest.invalid("The request needs {\"query\":\"SELECT * FROM devices ...\"}");
        }
        List<Condition> conditions = parse(query.asString());
        int pageSize = pageSize(request.header(PAGE_SIZE));
        String after = continuationId(request.header(CONTINUATION));
        List<String> ids = this.emulator.devices()
            .stream()
            .filter((identity) -> identity.moduleId() == null)
            .map(DeviceIdentity::deviceId)
            .filter((id) -> after == null || id.compareTo(after) > 0)
            .sorted(Comparator.naturalOrder())
            .toList();
        ArrayNode page = Json.MAPPER.createArrayNode();
        String last = null;
        boolean more = false;
        for (String id : ids) {
            JsonNode twin;
            try {
                twin = this.twins.document(id);
            }
            catch (IotHubServiceException deletedMeanwhile) {
                continue;
            }
            if (conditions.stream().allMatch((condition) -> condition.matches(twin))) {
                if (page.size() == pageSize) {
                    more = true;
                    break;
                }
                page.add(twin);
                last = id;
            }
        }
        Map<String, String> headers = (more && last != null) ? Map.of(CONTINUATION, continuationToken(last))
                : Map.of();
        return new RestResponse(200, headers, page);
    }

    private static List<Condition> parse(String query) {
        Matcher matcher = QUERY.matcher(query);
        if (!matcher.matches()) {
            throw unsupported(query);
        }
        List<Condition> conditions = new ArrayList<>();
        String where = matcher.group(1);
        if (where == null) {
            return conditions;
        }
        Matcher condition = CONDITION.matcher(where);
        int position = 0;
        while (position < where.length()) {
            condition.region(position, where.length());
            if (!condition.lookingAt()) {
                throw unsupported(query);
            }
            conditions.add(new Condition(condition.group(1).split("\\."), literal(condition.group(2))));
            position = condition.end();
            if (condition.group(3) == null && position < where.length()) {
                throw unsupported(query);
            }
        }
        return conditions;
    }

    private static JsonNode literal(String text) {
        if (text.startsWith("'")) {
            return Json.MAPPER.getNodeFactory().stringNode(text.substring(1, text.length() - 1).replace("''", "'"));
        }
        return Json.MAPPER.readTree(text.toLowerCase(Locale.ROOT));
    }

    private static int pageSize(@Nullable String header) {
        if (header == null) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            return Math.max(1, Math.min(MAX_PAGE_SIZE, Integer.parseInt(header.strip())));
        }
        catch (NumberFormatException ex) {
            throw RestRequest.invalid(PAGE_SIZE + " must be a number, not " + header);
        }
    }

    private static String continuationToken(String lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
    }

    private static @Nullable String continuationId(@Nullable String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException ex) {
            throw RestRequest.invalid("The " + CONTINUATION + " token is not one this emulator issued");
        }
    }

    private static IotHubServiceException unsupported(String query) {
        return RestRequest.invalid("The emulator answers SELECT * FROM devices [WHERE path = literal [AND ...]] only, "
                + "not: " + query);
    }

    /** {@code path = literal}; numbers compare by value. */
    private record Condition(String[] path, JsonNode literal) {

        boolean matches(JsonNode twin) {
            JsonNode value = twin;
            for (String name : this.path) {
                value = value.path(name);
            }
            if (value.isNumber() && this.literal.isNumber()) {
                return new BigDecimal(value.toString()).compareTo(new BigDecimal(this.literal.toString())) == 0;
            }
            return value.equals(this.literal);
        }
    }
}
