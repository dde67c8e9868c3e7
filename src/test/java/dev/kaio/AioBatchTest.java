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

import static dev.kaio.testing.Blocks.BLOCK;
import static dev.kaio.testing.Blocks.assertFilled;
import static dev.kaio.testing.Blocks.file;
import static dev.kaio.testing.Blocks.filled;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link AioBatch} request by request: every kind a batch prepares ends with its own result and does
 * what it says to the file; a batch checks each request like {@link AioFile} does (direction,
 * buffers) before anything is submitted; it grows past its first capacity up to the queue depth; and
 * once submitted (or closed) it keeps no reference to the requests' buffers.
 */
class AioBatchTest {

    private static final int GUARD_SECONDS = 20;

    @Test
    void everyKindOfRequestEndsWithItsOwnResult() throws Exception {
        Path path = file("batch-kinds", 16);
        byte[] before = Files.readAllBytes(path);
        try (AioContext ctx = AioContext.open(16); AioFile file = AioFile.open(ctx, path, READ, WRITE);
                Arena arena = Arena.ofShared(); AioBatch batch = ctx.newBatch()) {
            CompletableFuture<Integer> write = batch.write(file, filled(arena, 1), 0);
            CompletableFuture<Integer> writeOpt = batch.write(file, filled(arena, 2), BLOCK, IoOptions.NONE.withFlags(RwFlag.DSYNC));
            CompletableFuture<Long> writev = batch.writev(file, List.of(filled(arena, 3), filled(arena, 4)), 2 * BLOCK);
            MemorySegment r1 = arena.allocate(BLOCK, 8);
            MemorySegment r2 = arena.allocate(BLOCK, 8);
            CompletableFuture<Long> readv = batch.readv(file, List.of(r1, r2), 8 * BLOCK);
            CompletableFuture<Void> fdatasync = batch.fdatasync(file);
            CompletableFuture<Void> fsync = batch.fsync(file);
            CompletionControlTest.CountingHandler handler = new CompletionControlTest.CountingHandler(1);
            batch.write(file, filled(arena, 5), 4 * BLOCK, IoOptions.NONE, 9, handler);
            for (CompletableFuture<?> f : List.of(write, writeOpt, writev, readv, fdatasync, fsync)) {
                assertNotNull(f, "every future-returning request returns its future");
            }
            assertEquals(7, batch.size());
            batch.submit();

            assertEquals(BLOCK, write.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertEquals(BLOCK, writeOpt.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertEquals(2L * BLOCK, writev.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertEquals(2L * BLOCK, readv.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertNull(fdatasync.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertNull(fsync.get(GUARD_SECONDS, TimeUnit.SECONDS));
            handler.awaitAll();
            assertEquals((long) BLOCK, handler.outcomes.get(9));

            for (int b = 0; b < 5; b++) {
                assertFilled(path, (long) b * BLOCK, b + 1);
            }
            TestFiles.assertBytesEqual(java.util.Arrays.copyOfRange(before, 8 * BLOCK, 10 * BLOCK),
                    TestFiles.toBytes(MemorySegment.ofArray(concat(r1, r2))), "what readv read");
        }
    }

    private static byte[] concat(MemorySegment a, MemorySegment b) {
        byte[] out = new byte[(int) (a.byteSize() + b.byteSize())];
        MemorySegment.copy(a, 0, MemorySegment.ofArray(out), 0, a.byteSize());
        MemorySegment.copy(b, 0, MemorySegment.ofArray(out), a.byteSize(), b.byteSize());
        return out;
    }

    @Test
    void aBatchChecksEachRequestsDirectionBeforeAnythingIsSubmitted() throws Exception {
        Path path = file("batch-direction", 4);
        try (AioContext ctx = AioContext.open(8); AioFile readOnly = AioFile.open(ctx, path, READ);
                AioFile writeOnly = AioFile.open(ctx, path, WRITE); Arena arena = Arena.ofShared();
                AioBatch batch = ctx.newBatch()) {
            MemorySegment buf = arena.allocate(BLOCK, 8);
            assertThrows(NonWritableChannelException.class, () -> batch.write(readOnly, buf, 0));
            assertThrows(NonWritableChannelException.class, () -> batch.write(readOnly, buf, 0, IoOptions.NONE));
            assertThrows(NonWritableChannelException.class, () -> batch.write(readOnly, buf, 0, IoOptions.NONE, 1,
                    new CompletionControlTest.CountingHandler(1)));
            assertThrows(NonReadableChannelException.class, () -> batch.read(writeOnly, buf, 0));
            assertThrows(NonReadableChannelException.class, () -> batch.read(writeOnly, buf, 0, IoOptions.NONE, 1,
                    new CompletionControlTest.CountingHandler(1)));
            assertThrows(IllegalArgumentException.class, () -> batch.read(readOnly, buf, -1), "a negative position");
            assertEquals(0, batch.size(), "nothing refused was added");
        }
    }

    @Test
    void aBatchGrowsUpToTheQueueDepth() throws Exception {
        int depth = 40; // more than a batch holds before it first grows (8), and than it grows to (16, 32)
        Path path = file("batch-grow", depth);
        byte[] data = Files.readAllBytes(path);
        try (AioContext ctx = AioContext.open(depth); AioFile file = AioFile.open(ctx, path, READ);
                Arena arena = Arena.ofShared(); AioBatch batch = ctx.newBatch()) {
            List<MemorySegment> bufs = new ArrayList<>();
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                MemorySegment b = arena.allocate(BLOCK, 8);
                bufs.add(b);
                reads.add(batch.read(file, b, (long) i * BLOCK));
            }
            assertEquals(depth, batch.size());
            assertThrows(IllegalStateException.class, () -> batch.read(file, bufs.get(0), 0), "past the depth");
            batch.submit();
            for (int i = 0; i < depth; i++) {
                assertEquals(BLOCK, reads.get(i).get(GUARD_SECONDS, TimeUnit.SECONDS));
                TestFiles.assertBytesEqual(java.util.Arrays.copyOfRange(data, i * BLOCK, (i + 1) * BLOCK),
                        TestFiles.toBytes(bufs.get(i)), "block " + i);
            }
        }
    }

    /**
     * A batch is reused; its prepared requests must not hold on to the buffers (and handlers) of
     * requests already submitted or abandoned, or a long-lived batch would keep them from being freed.
     */
    @Test
    void aSubmittedOrClosedBatchKeepsNoBufferAlive() throws Exception {
        Path path = file("batch-retain", 4);
        try (AioContext ctx = AioContext.open(8); AioFile file = AioFile.open(ctx, path, READ)) {
            AioBatch batch = ctx.newBatch();
            // each checked before the batch is used again (which would overwrite the reference)
            assertCollected(readOnce(batch, file, true), "the buffer of a submitted request");
            assertCollected(readOnce(batch, file, false), "the buffer of a request of a closed batch");
            assertEquals(0, batch.size());
        }
    }

    private static WeakReference<MemorySegment> readOnce(AioBatch batch, AioFile file, boolean submit)
            throws Exception {
        MemorySegment buf = Arena.ofAuto().allocate(BLOCK, 8); // freed by the GC once unreachable
        CompletableFuture<Integer> f = batch.read(file, buf, 0);
        if (submit) {
            batch.submit();
            assertEquals(BLOCK, f.get(GUARD_SECONDS, TimeUnit.SECONDS));
        } else {
            batch.close();
            assertTrue(f.isCompletedExceptionally(), "a closed batch fails what it had not submitted");
        }
        return new WeakReference<>(buf);
    }

    private static void assertCollected(WeakReference<?> ref, String what) throws InterruptedException {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), what + " is still reachable");
    }
}
