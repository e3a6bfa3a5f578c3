/**
 * The standalone emulator: {@code java -jar iothub-emulator.jar} with its command-line options.
 */
package dev.iothub.emulator.cli;
