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

import com.sun.nio.file.ExtendedOpenOption;
import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.KaioFileChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * One request in flight per platform thread, the way a storage engine reads a page it needs now: each
 * JMH thread submits one O_DIRECT random read of {@code bs} bytes and waits for it, in a loop. All
 * threads share one {@link AioContext} (and one file or channel), as an application would; run with
 * {@code -t 1} and {@code -t 4}. The baseline is the JDK's blocking {@code FileChannel.read(buf, pos)}
 * opened with {@code ExtendedOpenOption.DIRECT} (a pread per request, no hand-off), which is what kaio
 * must match here: a waiting thread reaps its own completion instead of being handed it by the reaper.
 * Score: reads per second over all threads.
 *
 * <pre>java -jar bench/target/benchmarks.jar OneInFlightBench -t 4 -p path=/dev/loopN -prof gc
 *     -prof dev.kaio.bench.CpuProfiler</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class OneInFlightBench {

    @Param("4096")
    public int bs;

    @Param("")
    public String path;

    /** The shared context's queue depth: more than the threads, so no thread waits for a slot. */
    @Param("64")
    public int contextDepth;

    private Spec spec;
    private AioContext context;
    private AioFile file;
    private KaioFileChannel kaioChannel;
    private FileChannel jdkChannel;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        spec = Spec.of(path, 1, bs, "randread");
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        switch (method) {
            case "kaioJoin", "kaioGet" -> {
                context = AioContext.open(contextDepth);
                file = AioFile.open(context, spec.path(), StandardOpenOption.READ, AioOpenOption.DIRECT);
            }
            case "kaioJoinSpin" -> {
                // the same, with the waiting thread first watching the completion ring for up to 20 µs (opt-in)
                context = AioContext.open(contextDepth, AioContext.Options.defaults().spinWait(LatencyBench.SPIN_WAIT));
                file = AioFile.open(context, spec.path(), StandardOpenOption.READ, AioOpenOption.DIRECT);
            }
            case "kaioChannelGet" -> {
                context = AioContext.open(contextDepth);
                Set<OpenOption> options = Set.of(StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
                kaioChannel = KaioFileChannel.open(context, spec.path(), options, null);
            }
            case "jdkFileChannel" -> jdkChannel = FileChannel.open(spec.path(), StandardOpenOption.READ,
                    ExtendedOpenOption.DIRECT);
            default -> throw new IllegalStateException(method);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (file != null) {
            file.close();
        }
        if (kaioChannel != null) {
            kaioChannel.close();
        }
        if (context != null) {
            context.close();
        }
        if (jdkChannel != null) {
            jdkChannel.close();
        }
    }

    /** Each thread's own aligned buffer and position sequence (set up and torn down on that thread). */
    @State(Scope.Thread)
    public static class PerThread {
        Arena arena;
        MemorySegment segment;
        ByteBuffer buffer;
        SplittableRandom random;

        @Setup(Level.Trial)
        public void setUp(OneInFlightBench bench, ThreadParams thread) {
            arena = Arena.ofShared();
            segment = DirectBuffers.allocate(arena, bench.bs, 4096);
            buffer = segment.asByteBuffer();
            random = new SplittableRandom(42 + thread.getThreadIndex());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** kaio's AioFile, {@code read(...).join()}. */
    @Benchmark
    public int kaioJoin(PerThread t) {
        return check(file.read(t.segment, spec.position(t.random)).join());
    }

    /** kaio's AioFile, {@code read(...).join()}, on a context whose waiters watch the ring for up to 20 µs before they sleep. */
    @Benchmark
    public int kaioJoinSpin(PerThread t) {
        return check(file.read(t.segment, spec.position(t.random)).join());
    }

    /** kaio's AioFile, {@code read(...).get()}. */
    @Benchmark
    public int kaioGet(PerThread t) throws Exception {
        return check(file.read(t.segment, spec.position(t.random)).get());
    }

    /** kaio's KaioFileChannel (an AsynchronousFileChannel), {@code read(buf, pos).get()}. */
    @Benchmark
    public int kaioChannelGet(PerThread t) throws Exception {
        t.buffer.clear();
        return check(kaioChannel.read(t.buffer, spec.position(t.random)).get());
    }

    /** The JDK's FileChannel opened with ExtendedOpenOption.DIRECT: a blocking pread on this thread. */
    @Benchmark
    public int jdkFileChannel(PerThread t) throws Exception {
        t.buffer.clear();
        return check(jdkChannel.read(t.buffer, spec.position(t.random)));
    }

    /** Every implementation must really read a whole block (a failed or short read is not a fast one). */
    private int check(int n) {
        if (n != bs) {
            throw new IllegalStateException("read " + n + " bytes, expected " + bs);
        }
        return n;
    }
}
