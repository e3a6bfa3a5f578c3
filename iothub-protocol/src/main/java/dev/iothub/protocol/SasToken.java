package dev.iothub.protocol;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * A shared access signature: {@code SharedAccessSignature sig=..&se=..&sr=..[&skn=..]}.
 * <p>
 * The signature covers the {@code sr} text exactly as it appears in the token, so both the Java SDK form
 * ({@code host/devices/id}) and the URL-encoded form ({@code host%2Fdevices%2Fid}) verify. {@link #toString()} never
 * reveals the signature.
 *
 * @param resource the {@code sr} field exactly as sent
 * @param signature the {@code sig} field, URL-decoded (Base64)
 * @param expiry the {@code se} field
 * @param keyName the {@code skn} field, or {@code null}
 * @param text the whole token
 */
public record SasToken(String resource, String signature, Instant expiry, @Nullable String keyName, String text) {

    private static final String PREFIX = "SharedAccessSignature ";

    /**
     * Mints a device or module token the way the official Java device SDK does.
     *
     * @param hostName the IoT Hub host name
     * @param deviceId the device id
     * @param moduleId the module id, or {@code null} for a device identity
     * @param base64Key the device or module key (Base64)
     * @param expiry when the token expires (truncated to seconds)
     */
    public static SasToken create(String hostName, String deviceId, @Nullable String moduleId, String base64Key,
            Instant expiry) {
        return create(resourceUri(hostName, deviceId, moduleId), base64Key, expiry);
    }

    /** Mints a token for a resource URI that is signed and sent as given. */
    public static SasToken create(String resource, String base64Key, Instant expiry) {
        long se = expiry.getEpochSecond();
        String signature = sign(base64Key, resource + "\n" + se);
        String text = PREFIX + "sig=" + UrlEncoding.encode(signature) + "&se=" + se + "&sr=" + resource;
        return new SasToken(resource, signature, Instant.ofEpochSecond(se), null, text);
    }

    /**
     * The resource URI of a device or module identity, {@code {host}/devices/{id}[/modules/{module}]}, each id
     * form-encoded.
     */
    public static String resourceUri(String hostName, String deviceId, @Nullable String moduleId) {
        String uri = hostName + "/devices/" + formEncode(deviceId);
        return (moduleId != null) ? uri + "/modules/" + formEncode(moduleId) : uri;
    }

    /**
     * Parses a token.
     *
     * @throws IllegalArgumentException if the text is not a shared access signature with {@code sr}, {@code sig}
     * and a numeric {@code se}; the message never contains the token
     */
    public static SasToken parse(@Nullable String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("A shared access signature must start with '" + PREFIX.trim() + "'");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : text.substring(PREFIX.length()).split("&")) {
            int equals = field.indexOf('=');
            if (equals > 0) {
                fields.put(field.substring(0, equals), field.substring(equals + 1));
            }
        }
        String resource = fields.get("sr");
        String signature = fields.get("sig");
        String se = fields.get("se");
        if (resource == null || resource.isEmpty() || signature == null || signature.isEmpty() || se == null) {
            throw new IllegalArgumentException("A shared access signature needs the fields sr, sig and se");
        }
        try {
            return new SasToken(resource, UrlEncoding.decode(signature), Instant.ofEpochSecond(Long.parseLong(se)),
                    fields.get("skn"), text);
        }
        catch (NumberFormatException | DateTimeException ex) {
            throw new IllegalArgumentException("The se field of a shared access signature must be epoch seconds");
        }
    }

    /** Computes {@code Base64(HMAC-SHA256(Base64Decode(key), text))}. */
    public static String sign(String base64Key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HMAC-SHA256 is not available", ex);
        }
    }

    /** Whether this token was signed with the given key (compared in constant time). */
    public boolean isSignedWith(@Nullable String base64Key) {
        if (base64Key == null) {
            return false;
        }
        byte[] expected = sign(base64Key, this.resource + "\n" + this.expiry.getEpochSecond())
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, this.signature.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Whether the token's scope covers a resource URI: the URL-decoded {@code sr} must equal it or be a prefix of it
     * by whole path segments (host compared without case).
     */
    public boolean covers(String hostName, String deviceId, @Nullable String moduleId) {
        String scope = trimSlash(UrlEncoding.decode(this.resource));
        String target = hostName + "/devices/" + deviceId + ((moduleId != null) ? "/modules/" + moduleId : "");
        int hostEnd = scope.indexOf('/');
        String scopeHost = (hostEnd < 0) ? scope : scope.substring(0, hostEnd);
        if (!scopeHost.equalsIgnoreCase(hostName)) {
            return false;
        }
        String scopePath = scope.substring(scopeHost.length());
        String targetPath = target.substring(hostName.length());
        return targetPath.equals(scopePath) || targetPath.startsWith(scopePath + "/");
    }

    /** Whether the token has expired at the given instant. */
    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(this.expiry);
    }

    @Override
    public String toString() {
        return "SasToken[sr=" + this.resource + ", se=" + this.expiry + "]";
    }

    private static String formEncode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }

    private static String trimSlash(String text) {
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }
}
