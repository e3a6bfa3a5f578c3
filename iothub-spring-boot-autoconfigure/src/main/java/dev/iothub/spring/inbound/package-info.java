/**
 * What the hub sends to the device: routing by topic, dispatch of cloud-to-device messages, direct-method requests
 * and desired-property changes to registered handlers, and the threads those handlers run on.
 */
@NullMarked
package dev.iothub.spring.inbound;

import org.jspecify.annotations.NullMarked;
