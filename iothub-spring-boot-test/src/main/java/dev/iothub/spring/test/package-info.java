/**
 * Test support: {@link dev.iothub.spring.test.AutoConfigureIotHubEmulator}.
 */
@NullMarked
package dev.iothub.spring.test;

import org.jspecify.annotations.NullMarked;
