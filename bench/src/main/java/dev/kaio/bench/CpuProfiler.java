/*
 * Copyright 2026 the kaio authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.kaio.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * {@code -prof dev.kaio.bench.CpuProfiler}: CPU time of the benchmark JVM (user + kernel, all its
 * threads: the submitting thread, reapers, pools) per operation, from the process CPU clock around each
 * measured iteration. With fio's usr_cpu + sys_cpu it compares what each implementation costs the
 * machine per I/O, apart from the device's own work (the loop driver's worker threads are not in it).
 */
public final class CpuProfiler implements InternalProfiler {

    private long cpuBefore;
    private long wallBefore;

    @Override
    public String getDescription() {
        return "process CPU time per operation";
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuBefore = processCpuNanos();
        wallBefore = System.nanoTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        long cpu = processCpuNanos() - cpuBefore;
        double seconds = (System.nanoTime() - wallBefore) / 1e9;
        double opsPerSecond = result.getPrimaryResult().getScore();
        // throughput mode, ops/s: operations in this iteration = score x its length
        double ops = opsPerSecond * seconds;
        double perOp = ops > 0 ? cpu / ops : Double.NaN;
        return List.of(new ScalarResult("cpu.ns/op", perOp, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.cores", cpu / 1e9 / seconds, "cores", AggregationPolicy.AVG));
    }
}
