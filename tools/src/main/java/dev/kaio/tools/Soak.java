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
package dev.kaio.tools;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.kaio.Aio;
import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * {@code kaio soak}: a bounded load run that tries to lose data. Several threads share one
 * {@link AioContext} and keep more requests in flight than it has slots (so back-pressure is always
 * engaged): random vectored writes of checksummed blocks, verifying vectored reads, periodic
 * fdatasync. Afterwards every block is checked through an independent read path
 * ({@link FileChannel}): a block whose write was acknowledged must hold exactly that write.
 *
 * <p>Each block (4 KiB) starts with a header: magic, block index, generation, then a payload derived
 * from (block, generation), and ends with a CRC32C of the rest. Each thread owns a contiguous range of
 * blocks and never has two writes to the same block in flight, so "the last acknowledged generation"
 * of every block is well defined.
 */
final class Soak {

    static final int BLOCK = 4096;
    private static final long MAGIC = 0x6b61696f_736f616bL; // "kaiosoak"

    /** Settings of one run. */
    record Settings(Path file, long durationNanos, int threads, int queueDepth, int blocks, boolean direct,
            long syncIntervalNanos, long seed) {}

    /** What a run did and found. */
    record Report(long writes, long reads, long syncs, long blocksWritten, long bytesVerified,
            long readsVerified, long errors, List<String> errorSamples, long aioNrBefore, long aioNrAfter,
            long elapsedNanos) {

        /** Contexts leaked: aio-nr not back to where it started. */
        long leakedAioEvents() {
            return aioNrAfter - aioNrBefore;
        }

        String text() {
            return String.format(Locale.ROOT,
                    "kaio soak: %.1fs, %d writes, %d reads, %d fdatasyncs; %d blocks written, %d bytes verified "
                            + "through FileChannel, %d reads verified in flight; errors=%d; aio-nr %d -> %d "
                            + "(leaked %d)%n",
                    elapsedNanos / 1e9, writes, reads, syncs, blocksWritten, bytesVerified, readsVerified, errors,
                    aioNrBefore, aioNrAfter, leakedAioEvents())
                    + (errorSamples.isEmpty() ? "" : "  first errors: " + String.join("; ", errorSamples) + "\n");
        }
    }

    private final Settings s;
    private final long[] acked;        // last acknowledged generation per block (0: never written)
    private final boolean[] busy;      // a write to the block is in flight (owner thread only)
    private final int[] readers;       // reads of the block in flight (owner thread only)
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong readsVerified = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<String> samples = java.util.Collections.synchronizedList(new ArrayList<>());

    private Soak(Settings settings) {
        this.s = settings;
        this.acked = new long[settings.blocks()];
        this.busy = new boolean[settings.blocks()];
        this.readers = new int[settings.blocks()];
    }

    /** Runs the soak described by {@code settings}. */
    static Report run(Settings settings) throws IOException, InterruptedException {
        return new Soak(settings).go();
    }

    private Report go() throws IOException, InterruptedException {
        long aioBefore = Aio.limits().aioNr();
        long start = System.nanoTime();
        List<OpenOption> opts = new ArrayList<>(List.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING));
        if (s.direct()) {
            opts.add(AioOpenOption.DIRECT);
        }
        try (AioContext ctx = AioContext.open(s.queueDepth());
                AioFile file = AioFile.open(ctx, s.file(), opts.toArray(OpenOption[]::new))) {
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> crash = new AtomicReference<>();
            int per = s.blocks() / s.threads();
            for (int t = 0; t < s.threads(); t++) {
                int first = t * per;
                int last = t == s.threads() - 1 ? s.blocks() : first + per;
                long seed = s.seed() * 31 + t;
                threads.add(Thread.ofPlatform().name("kaio-soak-" + t).start(() -> {
                    try {
                        worker(file, first, last, seed, start + s.durationNanos());
                    } catch (Throwable e) {
                        crash.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (crash.get() != null) {
                throw new IOException("soak worker failed", crash.get());
            }
            file.fdatasync().join();
        }
        long aioAfter = Aio.limits().aioNr();
        long[] verified = verifyWithFileChannel();
        return new Report(writes.get(), reads.get(), syncs.get(), verified[0], verified[1], readsVerified.get(),
                errors.get(), List.copyOf(samples), aioBefore, aioAfter, System.nanoTime() - start);
    }

    /** One thread: up to 2 * depth / threads requests in flight, until the deadline; then drain. */
    private void worker(AioFile file, int first, int last, long seed, long deadline) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int window = Math.max(2, 2 * s.queueDepth() / s.threads()); // more than the slots: back-pressure
        ArrayDeque<Op> inFlight = new ArrayDeque<>();
        long lastSync = System.nanoTime();
        try (Arena arena = Arena.ofShared()) {
            Buffers buffers = new Buffers(arena);
            while (System.nanoTime() < deadline || !inFlight.isEmpty()) {
                boolean issuing = System.nanoTime() < deadline;
                if (issuing && inFlight.size() < window) {
                    Op op;
                    if (System.nanoTime() - lastSync > s.syncIntervalNanos()) {
                        op = new Op(Kind.SYNC, 0, 0, null, file.fdatasync(), null);
                        lastSync = System.nanoTime();
                    } else if (random.nextInt(100) < 60) {
                        op = write(file, buffers, random, first, last);
                    } else {
                        op = read(file, buffers, random, first, last);
                    }
                    if (op != null) {
                        inFlight.add(op);
                        continue;
                    }
                }
                Op done = inFlight.poll();
                if (done != null) {
                    finish(done);
                    if (done.segments() != null) {
                        buffers.give(done.segments());
                    }
                }
            }
        }
    }

    private enum Kind { WRITE, READ, SYNC }

    private record Op(Kind kind, int firstBlock, int count, long[] generations, CompletableFuture<?> future,
            List<MemorySegment> segments) {}

    /** A worker's reusable 4 KiB buffers (its requests' buffers return here once they complete). */
    private static final class Buffers {
        private final Arena arena;
        private final ArrayDeque<MemorySegment> free = new ArrayDeque<>();

        Buffers(Arena arena) {
            this.arena = arena;
        }

        MemorySegment take() {
            MemorySegment s = free.poll();
            return s != null ? s : DirectBuffers.allocate(arena, BLOCK, 4096);
        }

        void give(List<MemorySegment> segments) {
            free.addAll(segments);
        }
    }

    private Op write(AioFile file, Buffers buffers, SplittableRandom random, int first, int last) {
        int count = 1 + random.nextInt(8);
        int b = first + random.nextInt(Math.max(1, last - first - count + 1));
        count = Math.min(count, last - b);
        for (int i = b; i < b + count; i++) {
            if (busy[i] || readers[i] > 0) {
                return null; // never two writes of one block in flight, nor a write racing a read
            }
        }
        List<MemorySegment> segs = new ArrayList<>(count);
        long[] gens = new long[count];
        for (int i = 0; i < count; i++) {
            int block = b + i;
            busy[block] = true;
            gens[i] = acked[block] + 1 + random.nextInt(3);
            MemorySegment seg = buffers.take();
            fill(seg, block, gens[i]);
            segs.add(seg);
        }
        writes.incrementAndGet();
        return new Op(Kind.WRITE, b, count, gens, file.writev(segs, (long) b * BLOCK), segs);
    }

    private Op read(AioFile file, Buffers buffers, SplittableRandom random, int first, int last) {
        int count = 1 + random.nextInt(8);
        int b = first + random.nextInt(Math.max(1, last - first - count + 1));
        count = Math.min(count, last - b);
        long[] expect = new long[count];
        List<MemorySegment> segs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (busy[b + i]) {
                return null; // its content is in transition
            }
            expect[i] = acked[b + i];
        }
        for (int i = 0; i < count; i++) {
            readers[b + i]++;
            segs.add(buffers.take());
        }
        reads.incrementAndGet();
        return new Op(Kind.READ, b, count, expect, file.readv(segs, (long) b * BLOCK), segs);
    }

    private void finish(Op op) {
        try {
            Object result = op.future().join();
            switch (op.kind()) {
                case WRITE -> {
                    if ((Long) result != (long) op.count() * BLOCK) {
                        error("short writev at block " + op.firstBlock() + ": " + result);
                    } else {
                        for (int i = 0; i < op.count(); i++) {
                            acked[op.firstBlock() + i] = op.generations()[i];
                        }
                    }
                }
                case READ -> {
                    for (int i = 0; i < op.count(); i++) {
                        String bad = check(op.segments().get(i), op.firstBlock() + i, op.generations()[i]);
                        if (bad != null) {
                            error("read in flight: " + bad);
                        } else {
                            readsVerified.incrementAndGet();
                        }
                    }
                }
                case SYNC -> syncs.incrementAndGet();
            }
        } catch (RuntimeException e) {
            error(op.kind() + " at block " + op.firstBlock() + ": " + e.getCause());
        } finally {
            for (int i = 0; i < op.count(); i++) {
                if (op.kind() == Kind.WRITE) {
                    busy[op.firstBlock() + i] = false;
                } else if (op.kind() == Kind.READ) {
                    readers[op.firstBlock() + i]--;
                }
            }
        }
    }

    private void error(String what) {
        errors.incrementAndGet();
        if (samples.size() < 5) {
            samples.add(what);
        }
    }

    /** Checks every block through FileChannel; returns {blocks written, bytes verified}. */
    private long[] verifyWithFileChannel() throws IOException {
        long blocksWritten = 0;
        long bytes = 0;
        try (FileChannel ch = FileChannel.open(s.file(), StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(BLOCK, 4096);
            ByteBuffer buf = seg.asByteBuffer();
            for (int block = 0; block < s.blocks(); block++) {
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, (long) block * BLOCK + buf.position()) > 0) {
                    // keep reading
                }
                if (acked[block] == 0) {
                    continue; // never acknowledged: may hold anything a failed write left
                }
                blocksWritten++;
                String bad = buf.position() < BLOCK ? "block " + block + " is short" : check(seg, block, acked[block]);
                if (bad != null) {
                    error("after the run: " + bad);
                } else {
                    bytes += BLOCK;
                }
            }
        }
        return new long[] {blocksWritten, bytes};
    }

    /** Writes generation {@code generation} of {@code block} into a 4 KiB segment (header, payload, CRC32C). */
    static void fill(MemorySegment seg, int block, long generation) {
        seg.set(JAVA_LONG_UNALIGNED, 0, MAGIC);
        seg.set(JAVA_LONG_UNALIGNED, 8, block);
        seg.set(JAVA_LONG_UNALIGNED, 16, generation);
        long x = block * 0x9E3779B97F4A7C15L ^ generation;
        for (long off = 24; off < BLOCK - 4; off += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            seg.set(JAVA_LONG_UNALIGNED, off, x);
        }
        seg.set(JAVA_INT_UNALIGNED, BLOCK - 4, crc(seg));
    }

    private static int crc(MemorySegment seg) {
        CRC32C c = new CRC32C();
        c.update(seg.asSlice(0, BLOCK - 4).asByteBuffer());
        return (int) c.getValue();
    }

    /** Null if {@code seg} holds generation {@code generation} of {@code block} intact (0: zeros or unwritten). */
    static String check(MemorySegment seg, int block, long generation) {
        if (generation == 0) {
            return null;
        }
        if (seg.get(JAVA_LONG_UNALIGNED, 0) != MAGIC) {
            return "block " + block + ": no header (expected generation " + generation + ")";
        }
        if (seg.get(JAVA_INT_UNALIGNED, BLOCK - 4) != crc(seg)) {
            return "block " + block + ": checksum mismatch";
        }
        long b = seg.get(JAVA_LONG_UNALIGNED, 8);
        long g = seg.get(JAVA_LONG_UNALIGNED, 16);
        if (b != block || g != generation) {
            return "block " + block + ": holds block " + b + " generation " + g + ", expected generation " + generation;
        }
        return null;
    }
}
