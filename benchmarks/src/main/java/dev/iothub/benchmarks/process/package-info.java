/**
 * Child JVMs the benchmarks spawn with their own class path, talked to by lines on stdin and stdout.
 */
package dev.iothub.benchmarks.process;
