/**
 * Child JVMs the benchmarks spawn with their own class path, talked to by lines on stdin and stdout.
 */
@NullMarked
package dev.iothub.benchmarks.process;

import org.jspecify.annotations.NullMarked;
