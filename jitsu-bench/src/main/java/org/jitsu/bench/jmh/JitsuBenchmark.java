package org.jitsu.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The common settings of every Jitsu JMH benchmark: average time per operation in nanoseconds, 3
 * warm-up and 5 measured iterations of 1 s, one fork with a fixed heap and the Parallel GC (stated
 * explicitly: under {@code taskset} to one CPU the JVM would pick Serial by itself), logging at WARN.
 *
 * <p>Run them all (about 4 minutes, {@code LibvirtBenchmark} included) with allocation per operation:
 * <pre>{@code
 * ./jitsu bench --jmh                       # = java -cp ... org.openjdk.jmh.Main -prof gc
 * ./jitsu bench --jmh WarmPath -p names=10  # JMH's own options after --jmh
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms512m", "-Xmx512m", "-Djitsu.log.level=WARN"})
public abstract class JitsuBenchmark {
}
