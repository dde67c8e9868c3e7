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
package dev.kaio.reliability;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of write / writev / read / readv / fsync / fdatasync over random offsets and
 * segment shapes, run by several threads on one context (each in its own region of the file), against
 * an in-memory model of the file: every read returns what the model says, and afterwards the file
 * equals the model byte for byte (read through FileChannel). Buffered and O_DIRECT.
 */
class ModelPropertyTest {

    static final int THREADS = 4;
    static final int REGION = 64 * 1024;   // bytes owned by each thread
    static final int UNIT = 512;            // O_DIRECT unit; buffered ops use arbitrary byte granularity

    enum Kind { WRITE, WRITEV, READ, READV, FSYNC, FDSYNC }

    /** One operation: offset within the thread's region, segment sizes, data seed. */
    record Op(Kind kind, int offset, List<Integer> segments, long seed) {
        int length() {
            return segments.stream().mapToInt(Integer::intValue).sum();
        }
    }

    @Provide
    Arbitrary<List<List<Op>>> bufferedPrograms() {
        return programs(1);
    }

    @Provide
    Arbitrary<List<List<Op>>> directPrograms() {
        return programs(UNIT);
    }

    /** One list of operations per thread; sizes and offsets in multiples of {@code unit}. */
    Arbitrary<List<List<Op>>> programs(int unit) {
        Arbitrary<Kind> kinds = Arbitraries.of(Kind.class);
        Arbitrary<List<Integer>> segments = Arbitraries.integers().between(1, 16).map(n -> n * unit)
                .list().ofMinSize(1).ofMaxSize(unit == 1 ? 20 : 9);
        Arbitrary<Op> ops = Combinators.combine(kinds, Arbitraries.integers().between(0, REGION / unit - 1),
                segments, Arbitraries.longs()).as((k, off, segs, seed) -> {
                    boolean vectored = k == Kind.WRITEV || k == Kind.READV;
                    List<Integer> shape = vectored ? segs : List.of(segs.get(0));
                    int offset = off * unit;
                    // keep the op inside the region
                    int length = shape.stream().mapToInt(Integer::intValue).sum();
                    if (offset + length > REGION) {
                        offset = Math.max(0, REGION - length) / unit * unit;
                    }
                    return new Op(k, offset, shape, seed);
                });
        return ops.list().ofMinSize(1).ofMaxSize(25).list().ofSize(THREADS);
    }

    @Property(tries = 40)
    void bufferedFileEqualsTheModel(@ForAll("bufferedPrograms") @Size(THREADS) List<List<Op>> program) throws Exception {
        run(program, false);
    }

    @Property(tries = 40)
    void directFileEqualsTheModel(@ForAll("directPrograms") @Size(THREADS) List<List<Op>> program) throws Exception {
        run(program, true);
    }

    static void run(List<List<Op>> program, boolean direct) throws Exception {
        Path file = Files.createTempFile(TestFiles.newDirectory("model"), "m", ".bin");
        byte[] model = new byte[THREADS * REGION];
        int[] modelLength = {0};
        try (AioContext ctx = AioContext.open(8);
                AioFile f = direct ? AioFile.open(ctx, file, READ, WRITE, CREATE, AioOpenOption.DIRECT)
                        : AioFile.open(ctx, file, READ, WRITE, CREATE)) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < THREADS; t++) {
                int base = t * REGION;
                List<Op> ops = program.get(t);
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Arena arena = Arena.ofShared()) {
                        for (Op op : ops) {
                            apply(f, arena, op, base, model, modelLength, direct);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError("thread failed: " + failures.get(0), failures.get(0));
                throw e;
            }
            f.fsync().get(30, TimeUnit.SECONDS);
        }
        byte[] onDisk = Files.readAllBytes(file);
        byte[] expected = Arrays.copyOf(model, modelLength[0]);
        TestFiles.assertBytesEqual(expected, onDisk, "file vs model (direct=" + direct + ")");
        Files.delete(file);
    }

    static void apply(AioFile f, Arena arena, Op op, int base, byte[] model, int[] modelLength, boolean direct)
            throws Exception {
        long pos = (long) base + op.offset();
        List<MemorySegment> segs = new ArrayList<>();
        for (int size : op.segments()) {
            segs.add(direct ? DirectBuffers.allocate(arena, size, UNIT) : arena.allocate(size));
        }
        switch (op.kind()) {
            case WRITE, WRITEV -> {
                java.util.Random r = new java.util.Random(op.seed());
                byte[] data = new byte[op.length()];
                r.nextBytes(data);
                int off = 0;
                for (MemorySegment s : segs) {
                    MemorySegment.copy(data, off, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (int) s.byteSize());
                    off += (int) s.byteSize();
                }
                long n = op.kind() == Kind.WRITE ? f.write(segs.get(0), pos).get(30, TimeUnit.SECONDS)
                        : f.writev(segs, pos).get(30, TimeUnit.SECONDS);
                if (n != data.length) {
                    throw new AssertionError("short write " + n + " of " + data.length);
                }
                synchronized (model) {
                    System.arraycopy(data, 0, model, (int) pos, data.length);
                    modelLength[0] = Math.max(modelLength[0], (int) pos + data.length);
                }
            }
            case READ, READV -> {
                // Other threads may extend the file while this read is in flight, so its length is only
                // bounded: at least what the model held when it was submitted.
                int lengthAtSubmit;
                synchronized (model) {
                    lengthAtSubmit = modelLength[0];
                }
                long n = op.kind() == Kind.READ ? f.read(segs.get(0), pos).get(30, TimeUnit.SECONDS)
                        : f.readv(segs, pos).get(30, TimeUnit.SECONDS);
                int atLeast = (int) Math.max(0, Math.min(op.length(), lengthAtSubmit - pos));
                if (n < atLeast || n > op.length()) {
                    throw new AssertionError(op + ": read " + n + " bytes at " + pos + ", expected at least " + atLeast);
                }
                byte[] got = new byte[(int) n];
                int off = 0;
                for (MemorySegment s : segs) {
                    int take = (int) Math.min(s.byteSize(), n - off);
                    if (take <= 0) {
                        break;
                    }
                    MemorySegment.copy(s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, got, off, take);
                    off += take;
                }
                synchronized (model) {
                    // this thread alone writes its region, so the model's bytes there are current; bytes
                    // never written are zero in the model and read as zero from the file's holes
                    for (int i = 0; i < n; i++) {
                        if (got[i] != model[(int) pos + i]) {
                            throw new AssertionError(op + ": byte " + i + " at " + (pos + i) + " is " + got[i]
                                    + ", model " + model[(int) pos + i]);
                        }
                    }
                }
            }
            case FSYNC -> f.fsync().get(30, TimeUnit.SECONDS);
            case FDSYNC -> f.fdatasync().get(30, TimeUnit.SECONDS);
        }
    }
}
