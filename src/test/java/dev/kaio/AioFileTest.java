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
package dev.kaio;

import static dev.kaio.testing.TestFiles.assertBytesEqual;
import static dev.kaio.testing.TestFiles.randomBytes;
import static dev.kaio.testing.TestFiles.readWithFileChannel;
import static dev.kaio.testing.TestFiles.toBytes;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.Futures;
import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The file API against real files on the project's disk, buffered and O_DIRECT. */
class AioFileTest {

    Path dir;
    AioContext ctx;
    Arena arena;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestFiles.newDirectory("aiofile");
        TestFiles.assertNotTmpfs(dir);
        ctx = AioContext.open(32);
        arena = Arena.ofShared();
    }

    @AfterEach
    void tearDown() throws IOException {
        ctx.close();
        arena.close();
    }

    static OpenOption[] options(boolean direct, OpenOption... base) {
        List<OpenOption> list = new ArrayList<>(List.of(base));
        if (direct) {
            list.add(AioOpenOption.DIRECT);
        }
        return list.toArray(OpenOption[]::new);
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return Futures.await(f, 30);
    }

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void writeThenReadMatchesFileChannel(boolean direct) throws Exception {
        Path path = dir.resolve("rw");
        try (AioFile file = AioFile.open(ctx, path, options(direct, READ, WRITE, CREATE))) {
            int align = file.alignment();
            assertEquals(direct, file.isDirect());
            if (!direct) {
                assertEquals(1, align);
            } else {
                assertTrue(align >= 512 && Integer.bitCount(align) == 1, "alignment " + align);
            }
            byte[] data = randomBytes(1, 64 * 1024);
            MemorySegment src = DirectBuffers.allocate(arena, data.length, 4096);
            src.copyFrom(MemorySegment.ofArray(data));
            assertEquals(data.length, await(file.write(src, 8192)));
            await(file.fdatasync());
            assertEquals(8192 + data.length, file.size());
            assertBytesEqual(data, readWithFileChannel(path, 8192, data.length), "FileChannel view of the write");

            MemorySegment dst = DirectBuffers.allocate(arena, data.length, 4096);
            assertEquals(data.length, await(file.read(dst, 8192)));
            assertBytesEqual(data, toBytes(dst), "kaio read");
            await(file.fsync());
        }
    }

    @ParameterizedTest(name = "{0} segments")
    @ValueSource(ints = {1, 2, 7, 8, 9, 64, 255, 1023, 1024})
    void vectoredWriteAndReadOnODirectMatchFileChannel(int segments) throws Exception {
        Path path = dir.resolve("vec" + segments);
        try (AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE, AioOpenOption.DIRECT)) {
            int align = file.alignment();
            // segments of 1..3 blocks, different sizes so ordering mistakes show
            List<MemorySegment> srcs = new ArrayList<>();
            List<MemorySegment> dsts = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < segments; i++) {
                long size = (long) align * (1 + i % 3);
                MemorySegment s = DirectBuffers.allocate(arena, size, align);
                s.copyFrom(MemorySegment.ofArray(randomBytes(1000L * segments + i, (int) size)));
                srcs.add(s);
                dsts.add(DirectBuffers.allocate(arena, size, align));
                total += size;
            }
            long position = (long) align * 3;
            assertEquals(total, await(file.writev(srcs, position)));
            await(file.fdatasync());

            byte[] expected = new byte[(int) total];
            int off = 0;
            for (MemorySegment s : srcs) {
                System.arraycopy(toBytes(s), 0, expected, off, (int) s.byteSize());
                off += (int) s.byteSize();
            }
            assertBytesEqual(expected, readWithFileChannel(path, position, (int) total), "FileChannel after writev");

            assertEquals(total, await(file.readv(dsts, position)));
            off = 0;
            for (int i = 0; i < segments; i++) {
                MemorySegment d = dsts.get(i);
                byte[] part = new byte[(int) d.byteSize()];
                System.arraycopy(expected, off, part, 0, part.length);
                assertBytesEqual(part, toBytes(d), "segment " + i + " after readv");
                off += part.length;
            }
        }
    }

    @Test
    void buffered_vectoredIoWithOddSizes() throws Exception {
        Path path = dir.resolve("odd");
        try (AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE)) {
            List<MemorySegment> srcs = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < 13; i++) {
                MemorySegment s = arena.allocate(17 + i * 5);
                s.copyFrom(MemorySegment.ofArray(randomBytes(i, (int) s.byteSize())));
                srcs.add(s);
                total += s.byteSize();
            }
            assertEquals(total, await(file.writev(srcs, 3)));
            MemorySegment whole = arena.allocate(total);
            assertEquals(total, (long) await(file.read(whole, 3)));
            byte[] fc = readWithFileChannel(path, 3, (int) total);
            assertBytesEqual(fc, toBytes(whole), "read back");
        }
    }

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void moreRequestsThanQueueDepthAllComplete(boolean direct) throws Exception {
        Path path = dir.resolve("many");
        int blocks = 32 * 8; // 8x the queue depth: submitters must wait for free slots
        try (AioFile file = AioFile.open(ctx, path, options(direct, READ, WRITE, CREATE))) {
            int bs = 4096;
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            List<MemorySegment> bufs = new ArrayList<>();
            for (int i = 0; i < blocks; i++) {
                MemorySegment b = DirectBuffers.allocate(arena, bs, bs);
                b.fill((byte) i);
                b.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i);
                bufs.add(b);
                writes.add(file.write(b, (long) i * bs));
                assertTrue(ctx.inFlight() <= ctx.queueDepth());
            }
            for (CompletableFuture<Integer> w : writes) {
                assertEquals(bs, await(w));
            }
            await(file.fsync());
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            List<MemorySegment> dsts = new ArrayList<>();
            for (int i = blocks - 1; i >= 0; i--) {
                MemorySegment d = DirectBuffers.allocate(arena, bs, bs);
                dsts.add(d);
                reads.add(file.read(d, (long) i * bs));
            }
            for (int k = 0; k < blocks; k++) {
                assertEquals(bs, await(reads.get(k)));
                int i = blocks - 1 - k;
                assertEquals(i, dsts.get(k).get(ValueLayout.JAVA_INT_UNALIGNED, 0));
                assertEquals((byte) i, dsts.get(k).get(ValueLayout.JAVA_BYTE, bs - 1));
            }
        }
    }

    @Test
    void manyThreadsSubmitConcurrently() throws Exception {
        Path path = dir.resolve("threads");
        int threads = 8;
        int perThread = 200;
        int bs = 512;
        try (AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE)) {
            List<Thread> ts = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts.add(Thread.ofPlatform().start(() -> {
                    try (Arena local = Arena.ofShared()) {
                        List<CompletableFuture<Integer>> fs = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            MemorySegment b = local.allocate(bs);
                            b.fill((byte) (id * 31 + i));
                            fs.add(file.write(b, ((long) id * perThread + i) * bs));
                        }
                        for (CompletableFuture<Integer> f : fs) {
                            assertEquals(bs, f.join());
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            assertTrue(errors.isEmpty(), () -> "errors: " + errors);
            byte[] all = readWithFileChannel(path, 0, threads * perThread * bs);
            for (int id = 0; id < threads; id++) {
                for (int i = 0; i < perThread; i++) {
                    int off = (id * perThread + i) * bs;
                    for (int k = 0; k < bs; k++) {
                        if (all[off + k] != (byte) (id * 31 + i)) {
                            throw new AssertionError("block " + (id * perThread + i) + " byte " + k);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void shortReadAtEndOfFile(boolean direct) throws Exception {
        Path path = dir.resolve("eof");
        byte[] data = randomBytes(7, 4096 + 1000);
        Files.write(path, data);
        try (AioFile file = AioFile.open(ctx, path, options(direct, READ))) {
            MemorySegment dst = DirectBuffers.allocate(arena, 8192, 4096);
            int n = await(file.read(dst, 0));
            assertEquals(data.length, n, "a read across EOF returns what is there");
            assertBytesEqual(data, toBytes(dst.asSlice(0, n)), "bytes before EOF");
            assertEquals(0, await(file.read(dst, 8192)), "a read at or past EOF returns 0");
            List<MemorySegment> v = List.of(DirectBuffers.allocate(arena, 4096, 4096),
                    DirectBuffers.allocate(arena, 4096, 4096), DirectBuffers.allocate(arena, 4096, 4096));
            assertEquals(data.length, await(file.readv(v, 0)));
        }
    }

    @Test
    void misalignedODirectFailsWithEinvalAndSaysWhy() throws Exception {
        Path path = dir.resolve("misaligned");
        byte[] content = randomBytes(3, 16384);
        Files.write(path, content);
        // btrfs serves misaligned O_DIRECT requests through the page cache instead of refusing them
        // (measured in the Docker harness); every other filesystem kaio is tested on answers EINVAL.
        boolean fallsBackToBuffered = TestFiles.filesystemType(dir).equals("btrfs");
        try (AioFile file = AioFile.open(ctx, path, READ, WRITE, AioOpenOption.DIRECT)) {
            int align = file.alignment();
            MemorySegment aligned = DirectBuffers.allocate(arena, 4 * align, align);
            MemorySegment badAddress = aligned.asSlice(1, align);
            MemorySegment badLength = aligned.asSlice(0, align + 1);

            // Buffer addresses: statx reports dio_mem_align, but some kernels (6.18 on ext4 here, measured)
            // accept a less aligned address. Either outcome is correct; a wrong byte is not.
            try {
                assertEquals(align, await(file.read(badAddress, 0)));
                assertBytesEqual(readWithFileChannel(path, 0, align), toBytes(badAddress), "misaligned-address read");
            } catch (AioException e1) {
                assertEquals(Errno.EINVAL, e1.errno());
                assertEquals("EINVAL", e1.errnoName());
                assertTrue(e1.getMessage().contains("address"), e1.getMessage());
            }

            if (fallsBackToBuffered) {
                aligned.asSlice(0, align + 1).fill((byte) 9);
                assertEquals(align + 1, await(file.write(badLength, 0)));
                assertEquals(9, readWithFileChannel(path, align, 1)[0]);
                assertEquals(align, await(file.read(aligned.asSlice(0, align), 1)));
                assertBytesEqual(readWithFileChannel(path, 1, align), toBytes(aligned.asSlice(0, align)), "position 1");
                return;
            }

            AioException e2 = assertThrows(AioException.class, () -> await(file.write(badLength, 0)));
            assertEquals(Errno.EINVAL, e2.errno());
            assertTrue(e2.getMessage().contains("length"), e2.getMessage());

            AioException e3 = assertThrows(AioException.class, () -> await(file.read(aligned.asSlice(0, align), 1)));
            assertEquals(Errno.EINVAL, e3.errno());
            assertTrue(e3.getMessage().contains("position 1"), e3.getMessage());

            AioException e4 = assertThrows(AioException.class,
                    () -> await(file.readv(List.of(aligned.asSlice(0, align), aligned.asSlice(align, align + 7)), 0)));
            assertEquals(Errno.EINVAL, e4.errno());
            assertTrue(e4.getMessage().contains("segment 1 length"), e4.getMessage());
            assertTrue(e4.getMessage().startsWith("readv: EINVAL (Invalid argument)"), e4.getMessage());

            // the context and the file are still usable
            assertEquals(align, await(file.read(aligned.asSlice(0, align), align)));
        }
    }

    @Test
    void badArgumentsThrowBeforeAnythingIsSubmitted() throws Exception {
        Path path = dir.resolve("args");
        Files.write(path, new byte[4096]);
        try (AioFile file = AioFile.open(ctx, path, READ, WRITE)) {
            MemorySegment buf = arena.allocate(512);
            assertThrows(NullPointerException.class, () -> file.read(null, 0));
            assertThrows(NullPointerException.class, () -> file.readv(null, 0));
            assertThrows(NullPointerException.class, () -> file.writev(java.util.Arrays.asList(buf, null), 0));
            assertThrows(IllegalArgumentException.class, () -> file.read(MemorySegment.ofArray(new byte[512]), 0));
            assertThrows(IllegalArgumentException.class, () -> file.write(MemorySegment.ofArray(new byte[512]), 0));
            assertThrows(IllegalArgumentException.class, () -> file.read(buf.asReadOnly(), 0));
            assertThrows(IllegalArgumentException.class, () -> file.readv(List.of(buf.asReadOnly()), 0));
            assertThrows(IllegalArgumentException.class, () -> file.read(buf, -1));
            assertThrows(IllegalArgumentException.class, () -> file.writev(List.of(buf), -4096));
            assertThrows(IllegalArgumentException.class, () -> file.readv(List.of(), 0));
            List<MemorySegment> tooMany = new ArrayList<>();
            for (int i = 0; i <= 1024; i++) {
                tooMany.add(buf);
            }
            assertThrows(IllegalArgumentException.class, () -> file.writev(tooMany, 0));
            MemorySegment dead;
            try (Arena a = Arena.ofConfined()) {
                dead = a.allocate(512);
            }
            assertThrows(IllegalStateException.class, () -> file.write(dead, 0));
            // writing from a read-only segment is fine
            assertEquals(512, await(file.write(buf.asReadOnly(), 0)));
            assertEquals(0, ctx.inFlight());
        }
        try (AioFile ro = AioFile.open(ctx, path, READ)) {
            assertThrows(NonWritableChannelException.class, () -> ro.write(arena.allocate(512), 0));
        }
        try (AioFile wo = AioFile.open(ctx, path, WRITE)) {
            assertThrows(NonReadableChannelException.class, () -> wo.read(arena.allocate(512), 0));
        }
    }

    @Test
    void openErrorsAreTheUsualNioExceptions() throws Exception {
        assertThrows(NoSuchFileException.class, () -> AioFile.open(ctx, dir.resolve("missing"), READ));
        Path existing = dir.resolve("existing");
        Files.write(existing, new byte[1]);
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> AioFile.open(ctx, existing, WRITE, java.nio.file.StandardOpenOption.CREATE_NEW));
        AioException isDir = assertThrows(AioException.class, () -> AioFile.open(ctx, dir, READ));
        assertEquals(Errno.EISDIR, isDir.errno());
        assertThrows(UnsupportedOperationException.class,
                () -> AioFile.open(ctx, existing, READ, java.nio.file.StandardOpenOption.values()[0], new OpenOption() {}));
    }

    @Test
    void useAfterCloseFailsWithClosedChannelException() throws Exception {
        Path path = dir.resolve("closed");
        Files.write(path, new byte[4096]);
        AioFile file = AioFile.open(ctx, path, READ, WRITE);
        MemorySegment buf = arena.allocate(512);
        file.close();
        file.close(); // idempotent
        assertTrue(file.isClosed());
        assertInstanceOf(ClosedChannelException.class,
                assertThrows(ExecutionException.class, () -> file.read(buf, 0).get()).getCause());
        assertThrows(ClosedChannelException.class, file::size);

        AioFile other = AioFile.open(ctx, path, READ);
        ctx.close();
        ctx.close(); // idempotent
        assertTrue(ctx.isClosed());
        CompletionException e = assertThrows(CompletionException.class, () -> other.read(buf, 0).join());
        assertInstanceOf(ClosedChannelException.class, e.getCause());
        assertThrows(ClosedChannelException.class, () -> AioFile.open(ctx, path, READ));
        other.close();
    }

    @Test
    void closingTheContextWaitsForInFlightRequests() throws Exception {
        Path path = dir.resolve("inflight");
        int n = 64;
        int bs = 64 * 1024;
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        try (AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE, AioOpenOption.DIRECT)) {
            for (int i = 0; i < n; i++) {
                MemorySegment b = DirectBuffers.allocate(arena, bs, 4096);
                b.fill((byte) (i + 1));
                writes.add(file.write(b, (long) i * bs));
            }
            ctx.close();
            // every future has ended, and the ones that were accepted wrote their data
            int ok = 0;
            for (int i = 0; i < n; i++) {
                CompletableFuture<Integer> w = writes.get(i);
                assertTrue(w.isDone(), "request " + i + " still pending after close");
                if (!w.isCompletedExceptionally()) {
                    assertEquals(bs, w.join());
                    assertEquals((byte) (i + 1), readWithFileChannel(path, (long) i * bs + bs - 1, 1)[0]);
                    ok++;
                } else {
                    ExecutionException ee = assertThrows(ExecutionException.class, w::get);
                    assertInstanceOf(ClosedChannelException.class, ee.getCause());
                }
            }
            assertTrue(ok >= ctx.queueDepth(), "the first queueDepth requests were in flight: " + ok);
            assertFalse(file.isClosed());
        }
    }

    @Test
    void callbacksMaySubmitFromTheReaperThread() throws Exception {
        Path path = dir.resolve("chain");
        int links = 500; // > queue depth, all submitted from completion callbacks
        try (AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE)) {
            MemorySegment b = arena.allocate(8);
            CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
            List<CompletableFuture<Integer>> all = new ArrayList<>();
            for (int i = 0; i < links; i++) {
                long pos = i * 8L;
                chain = chain.thenCompose(x -> file.write(b, pos));
                all.add(chain);
            }
            // fan-out from the reaper: each completion submits 4 more than one slot can hold
            List<CompletableFuture<Integer>> fan = new ArrayList<>();
            CompletableFuture<Void> fanDone = file.write(b, 0).thenCompose(x -> {
                for (int i = 0; i < 200; i++) {
                    fan.add(file.write(b, links * 8L + i * 8L));
                }
                return CompletableFuture.allOf(fan.toArray(CompletableFuture[]::new));
            });
            assertEquals(8, chain.get(30, TimeUnit.SECONDS));
            fanDone.get(30, TimeUnit.SECONDS);
            assertEquals((links + 200) * 8L, file.size());
        }
    }
}
