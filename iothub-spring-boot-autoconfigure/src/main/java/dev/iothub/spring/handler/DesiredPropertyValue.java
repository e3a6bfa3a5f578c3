package dev.iothub.spring.handler;

import tools.jackson.databind.JsonNode;

import org.springframework.util.StringUtils;

/**
 * The value of a desired property as carried in a message header; its {@code toString()} is shortened, so that a
 * log line or exception naming the message never holds a huge value.
 *
 * @param value the value
 */
record DesiredPropertyValue(JsonNode value) {

    private static final int LOGGED_LENGTH = 200;

    @Override
    public String toString() {
        return StringUtils.truncate(this.value.toString(), LOGGED_LENGTH);
    }

}
