/**
 * The client side of the harness: {@link dev.iothub.benchmarks.client.ClientHost}, one JVM per device stack, driven by
 * JSON command lines on stdin, and the stacks it measures.
 */
@NullMarked
package dev.iothub.benchmarks.client;

import org.jspecify.annotations.NullMarked;
