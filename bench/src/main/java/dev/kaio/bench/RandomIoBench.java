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

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Random O_DIRECT I/O at a queue depth, through each implementation. An operation is one completed
 * request of {@code bs} bytes; each invocation waits for {@value #OPS} of them while {@code depth}
 * stay in flight, so the score in ops/s is IOPS (MB/s = IOPS x bs).
 *
 * <p>Run with {@code -p path=/dev/loopN} (or a file of at least 1 GiB); bench/compare.sh sets it up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RandomIoBench {

    static final int OPS = 256;

    @Param({"1", "8", "32", "128"})
    public int depth;

    @Param({"4096", "65536", "1048576"})
    public int bs;

    @Param({"randread", "randwrite", "randrw"})
    public String rw;

    @Param("")
    public String path;

    private Driver driver;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        Spec spec = Spec.of(path, depth, bs, rw);
        driver = switch (method) {
            case "kaioQueue" -> new QueueDriver(spec, false, false);
            case "kaioQueueBatched" -> new QueueDriver(spec, false, true);
            case "kaioQueueSyscalls" -> new QueueDriver(spec, true, false);
            case "kaioFile" -> new FileFuturesDriver(spec, false);
            case "kaioChannel" -> new ChannelDriver(spec, true);
            case "jdkAsyncChannel" -> new ChannelDriver(spec, false);
            case "jdkThreads" -> new ThreadsDriver(spec);
            case "artemis" -> new ArtemisDriver(spec);
            default -> throw new IllegalStateException(method);
        };
        driver.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        driver.close();
    }

    /**
     * kaio's low-level engine (AioQueue), completions reaped from the ring in user space, one io_submit
     * per request (fio's default).
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long kaioQueue() throws Exception {
        return driver.run(OPS);
    }

    /** The same, submitting all of a reap's replacement requests with one io_submit. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long kaioQueueBatched() throws Exception {
        return driver.run(OPS);
    }

    /** The same with io_getevents for every reap (forceSyscalls): what user-space reaping saves. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long kaioQueueSyscalls() throws Exception {
        return driver.run(OPS);
    }

    /** kaio's AioFile: a CompletableFuture per request, resubmitted from its callback. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long kaioFile() throws Exception {
        return driver.run(OPS);
    }

    /** kaio's KaioFileChannel (an AsynchronousFileChannel), CompletionHandler chaining. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long kaioChannel() throws Exception {
        return driver.run(OPS);
    }

    /** The JDK's AsynchronousFileChannel with a pool of depth threads, CompletionHandler chaining. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long jdkAsyncChannel() throws Exception {
        return driver.run(OPS);
    }

    /** depth threads doing positional FileChannel reads/writes. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long jdkThreads() throws Exception {
        return driver.run(OPS);
    }

    /** ActiveMQ Artemis's JNI libaio binding. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long artemis() throws Exception {
        return driver.run(OPS);
    }
}
