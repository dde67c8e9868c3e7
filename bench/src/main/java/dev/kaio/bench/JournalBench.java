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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * The journal pattern: append 4 KiB records with O_DIRECT and make them durable with fdatasync
 * before acknowledging. {@code batch} = 1: write, wait, FDSYNC, wait, per record; {@code batch} = 8:
 * eight appends in one io_submit, then one FDSYNC for all eight (group commit). Score: durable
 * records per second. The file is a preallocated 256 MiB region of the target directory, appended
 * in a circle.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class JournalBench {

    static final int RECORD = 4096;
    static final long REGION = 256L << 20;
    static final int OPS = 64;

    @Param({"1", "8"})
    public int batch;

    /** A directory on the filesystem to test (the journal file is created there). */
    @Param("")
    public String dir;

    private Path file;
    private long position;
    private Arena arena;
    private MemorySegment[] records;
    private AioQueue queue;
    private RawFile raw;
    private AioContext ctx;
    private AioFile aioFile;
    private FileChannel channel;
    private ByteBuffer[] buffers;

    @Setup(Level.Trial)
    public void setUp(org.openjdk.jmh.infra.BenchmarkParams params) throws Exception {
        if (dir.isEmpty()) {
            throw new IllegalArgumentException("set -p dir=/a/directory/on/the/disk");
        }
        file = Files.createTempFile(Path.of(dir), "kaio-journal", ".log");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), REGION - 1); // then fill, so appends do not allocate blocks
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long p = 0; p < REGION; p += 1 << 20) {
                zeros.clear();
                ch.write(zeros, p);
            }
            ch.force(true);
        }
        arena = Arena.ofShared();
        records = new MemorySegment[batch];
        buffers = new ByteBuffer[batch];
        for (int i = 0; i < batch; i++) {
            records[i] = DirectBuffers.allocate(arena, RECORD, 4096);
            records[i].fill((byte) (i + 1));
            buffers[i] = records[i].asByteBuffer();
        }
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        switch (method) {
            case "kaioQueue" -> {
                raw = RawFile.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, AioOpenOption.DIRECT);
                queue = AioQueue.open(batch + 1);
            }
            case "kaioFile" -> {
                ctx = AioContext.open(batch + 1);
                aioFile = AioFile.open(ctx, file, StandardOpenOption.READ, StandardOpenOption.WRITE, AioOpenOption.DIRECT);
            }
            case "jdkFileChannel" -> channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    ExtendedOpenOption.DIRECT);
            default -> throw new IllegalStateException(method);
        }
    }

    private long next() {
        long p = position;
        position = (position + RECORD) % REGION;
        return p;
    }

    /** kaio's low-level engine: appends in one io_submit, reap them, then FDSYNC. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long kaioQueue() throws Exception {
        int fd = raw.fd();
        for (int done = 0; done < OPS; done += batch) {
            for (int i = 0; i < batch; i++) {
                queue.prepareWrite(fd, records[i], next(), i);
            }
            queue.submit();
            for (int got = 0; got < batch; ) {
                int n = queue.reap(1, batch, -1);
                for (int k = 0; k < n; k++) {
                    if (queue.result(k) != RECORD) {
                        throw AioQueue.failure(Math.min(-5, queue.result(k)), "write", "journal");
                    }
                }
                got += n;
            }
            queue.prepareFdsync(fd, -1);
            queue.submit();
            queue.reap(1, 1, -1);
            if (queue.result(0) != 0) {
                throw AioQueue.failure(queue.result(0), "fdatasync", "journal");
            }
        }
        return position;
    }

    /** kaio's file API: futures for the appends, then fdatasync(). */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long kaioFile() throws Exception {
        List<CompletableFuture<Integer>> writes = new ArrayList<>(batch);
        for (int done = 0; done < OPS; done += batch) {
            writes.clear();
            for (int i = 0; i < batch; i++) {
                writes.add(aioFile.write(records[i], next()));
            }
            for (CompletableFuture<Integer> w : writes) {
                w.join();
            }
            aioFile.fdatasync().join();
        }
        return position;
    }

    /** FileChannel: pwrite each record, then force(false) (fdatasync). */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long jdkFileChannel() throws Exception {
        for (int done = 0; done < OPS; done += batch) {
            for (int i = 0; i < batch; i++) {
                buffers[i].clear();
                channel.write(buffers[i], next());
            }
            channel.force(false);
        }
        return position;
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
        arena.close();
        Files.deleteIfExists(file);
    }
}
