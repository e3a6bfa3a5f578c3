package dev.iothub.spring.annotation;

import org.jspecify.annotations.Nullable;

/**
 * A direct-method answer with an explicit status, for {@link DirectMethod} handlers that need one other than 200.
 *
 * @param status the status reported to the caller
 * @param body the body, sent as JSON; {@code null} for an empty body
 */
public record MethodResponse(int status, @Nullable Object body) {

    /** A 200 answer with a body. */
    public static MethodResponse ok(@Nullable Object body) {
        return new MethodResponse(200, body);
    }

    /** An answer with a status and a body. */
    public static MethodResponse of(int status, @Nullable Object body) {
        return new MethodResponse(status, body);
    }

}
