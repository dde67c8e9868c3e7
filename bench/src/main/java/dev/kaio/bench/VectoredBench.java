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

import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.engine.AioQueue;
import dev.kaio.engine.RawFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
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

/**
 * 32 KiB of scattered data per operation, read either as one IOCB_CMD_PREADV of 8 x 4 KiB segments
 * or as 8 separate IOCB_CMD_PREADs of 4 KiB (submitted together), from random 32 KiB-aligned
 * positions, {@code depth} operations in flight. Score: operations (32 KiB each) per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class VectoredBench {

    static final int OPS = 128;
    static final int SEGMENTS = 8;
    static final int SEGMENT = 4096;

    @Param({"1", "8", "32"})
    public int depth;

    @Param("")
    public String path;

    private AioQueue queue;
    private RawFile file;
    private Arena arena;
    private MemorySegment[][] segments;
    private int[] pending;         // per operation: completions still to come (1 for preadv, 8 for preads)
    private long blocks;
    private final SplittableRandom random = new SplittableRandom(7);
    private boolean vectored;

    @Setup(Level.Trial)
    public void setUp(org.openjdk.jmh.infra.BenchmarkParams params) throws Exception {
        vectored = params.getBenchmark().endsWith("preadv8x4k");
        file = RawFile.open(Spec.of(path, depth, SEGMENT * SEGMENTS, "randread").path(), StandardOpenOption.READ,
                AioOpenOption.DIRECT);
        blocks = file.size() / (SEGMENT * SEGMENTS);
        queue = AioQueue.open(depth * SEGMENTS, depth * SEGMENTS);
        arena = Arena.ofShared();
        segments = new MemorySegment[depth][SEGMENTS];
        pending = new int[depth];
        for (int op = 0; op < depth; op++) {
            for (int s = 0; s < SEGMENTS; s++) {
                segments[op][s] = DirectBuffers.allocate(arena, SEGMENT, 4096);
            }
            prepare(op);
        }
        queue.submit();
    }

    private void prepare(int op) {
        long pos = random.nextLong(blocks) * SEGMENT * SEGMENTS;
        if (vectored) {
            queue.prepareReadv(file.fd(), segments[op], SEGMENTS, pos, op);
            pending[op] = 1;
        } else {
            for (int s = 0; s < SEGMENTS; s++) {
                queue.prepareRead(file.fd(), segments[op][s], pos + (long) s * SEGMENT, op);
            }
            pending[op] = SEGMENTS;
        }
    }

    private long run() throws Exception {
        int done = 0;
        while (done < OPS) {
            int n = queue.reap(1, queue.depth(), -1);
            for (int k = 0; k < n; k++) {
                if (queue.result(k) < 0) {
                    throw AioQueue.failure(queue.result(k), "read", "vectored bench");
                }
                int op = (int) queue.tag(k);
                if (--pending[op] == 0) {
                    done++;
                    prepare(op);
                }
            }
            queue.submit();
        }
        return done;
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long preadv8x4k() throws Exception {
        return run();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long pread4kx8() throws Exception {
        return run();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        while (queue.inFlight() > 0) {
            queue.reap(1, queue.depth(), -1);
        }
        queue.close();
        file.close();
        arena.close();
    }
}
