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
import dev.kaio.engine.AioQueue;
import dev.kaio.engine.RawFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.nativo.jlibaio.LibaioContext;
import org.apache.activemq.artemis.nativo.jlibaio.LibaioFile;
import org.apache.activemq.artemis.nativo.jlibaio.SubmitInfo;
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

/**
 * Queue depth 1: one O_DIRECT random read of {@code bs}, submitted and waited for, per invocation.
 * JMH's SampleTime mode gives its latency distribution (p50, p99, p99.9), comparable with fio's clat at
 * iodepth=1.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LatencyBench {

    /** The opt-in ring watch that the benchmarks' Spin variants use (here and in {@link OneInFlightBench}). */
    static final java.time.Duration SPIN_WAIT = java.time.Duration.ofNanos(20_000);


    @Param({"4096"})
    public int bs;

    @Param("")
    public String path;

    private Spec spec;
    private final SplittableRandom random = new SplittableRandom(3);
    private Arena arena;
    private MemorySegment segment;
    private ByteBuffer buffer;
    private AioQueue queue;
    private RawFile raw;
    private AioContext ctx;
    private AioFile aioFile;
    private FileChannel channel;
    private AsynchronousFileChannel async;
    private LibaioContext<SubmitInfo> artemis;
    private LibaioFile<SubmitInfo> artemisFile;
    private final SubmitInfo[] artemisEvents = new SubmitInfo[1];
    private static final SubmitInfo NOOP = new SubmitInfo() {
        @Override
        public void onError(int errno, String message) {
            throw new IllegalStateException("errno " + errno + ": " + message);
        }

        @Override
        public void done() {
        }
    };

    @Setup(Level.Trial)
    public void setUp(org.openjdk.jmh.infra.BenchmarkParams params) throws Exception {
        spec = Spec.of(path, 1, bs, "randread");
        arena = Arena.ofShared();
        segment = DirectBuffers.allocate(arena, bs, 4096);
        buffer = segment.asByteBuffer();
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        switch (method) {
            case "kaioQueue" -> {
                raw = RawFile.open(spec.path(), StandardOpenOption.READ, AioOpenOption.DIRECT);
                queue = AioQueue.open(1);
            }
            case "kaioQueueSpin" -> {
                raw = RawFile.open(spec.path(), StandardOpenOption.READ, AioOpenOption.DIRECT);
                queue = AioQueue.open(1, AioQueue.Options.defaults().spinWait(SPIN_WAIT));
            }
            case "kaioFileSpin" -> {
                ctx = AioContext.open(1, AioContext.Options.defaults().spinWait(SPIN_WAIT));
                aioFile = AioFile.open(ctx, spec.path(), StandardOpenOption.READ, AioOpenOption.DIRECT);
            }
            case "kaioFile" -> {
                ctx = AioContext.open(1);
                aioFile = AioFile.open(ctx, spec.path(), StandardOpenOption.READ, AioOpenOption.DIRECT);
            }
            case "jdkFileChannel" -> channel = FileChannel.open(spec.path(), StandardOpenOption.READ,
                    ExtendedOpenOption.DIRECT);
            case "jdkAsyncChannel" -> async = AsynchronousFileChannel.open(spec.path(), StandardOpenOption.READ,
                    ExtendedOpenOption.DIRECT);
            case "artemis" -> {
                ArtemisDriver.checkLoaded();
                artemis = new LibaioContext<>(1, true, false);
                artemisFile = artemis.openFile(spec.path().toString(), true);
            }
            default -> throw new IllegalStateException(method);
        }
    }

    @Benchmark
    public long kaioQueue() throws Exception {
        queue.prepareRead(raw.fd(), segment, spec.position(random), 1);
        queue.submit();
        queue.reap(1, 1, -1);
        return queue.result(0);
    }

    @Benchmark
    public int kaioFile() {
        return aioFile.read(segment, spec.position(random)).join();
    }

    /** {@link #kaioQueue} on a queue whose reap watches the ring for up to 20 µs before io_getevents. */
    @Benchmark
    public long kaioQueueSpin() throws Exception {
        return kaioQueue();
    }

    /** {@link #kaioFile} on a context whose waiters watch the ring for up to 20 µs before they sleep. */
    @Benchmark
    public int kaioFileSpin() {
        return kaioFile();
    }

    @Benchmark
    public int jdkFileChannel() throws Exception {
        buffer.clear();
        return channel.read(buffer, spec.position(random));
    }

    @Benchmark
    public int jdkAsyncChannel() throws Exception {
        buffer.clear();
        return async.read(buffer, spec.position(random)).get();
    }

    @Benchmark
    public int artemis() throws Exception {
        buffer.clear();
        artemisFile.read(spec.position(random), bs, buffer, NOOP);
        return artemis.poll(artemisEvents, 1, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (queue != null) {
            queue.close();
            raw.close();
        }
        if (aioFile != null) {
            aioFile.close();
            ctx.close();
        }
        if (channel != null) {
            channel.close();
        }
        if (async != null) {
            async.close();
        }
        if (artemis != null) {
            artemisFile.close();
            artemis.close();
        }
        arena.close();
    }
}
