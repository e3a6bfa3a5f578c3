/**
 * The standalone emulator: {@code java -jar iothub-emulator.jar} with its command-line options.
 */
@NullMarked
package dev.iothub.emulator.cli;

import org.jspecify.annotations.NullMarked;
