/**
 * Test support: {@link dev.iothub.spring.test.AutoConfigureIotHubEmulator}.
 */
package dev.iothub.spring.test;
