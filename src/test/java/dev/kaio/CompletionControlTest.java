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

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Where completions run (the collecting thread, an executor per context or per request), handlers
 * with attachments (each called exactly once, allocating nothing per request), and batches submitted
 * with one io_submit.
 */
class CompletionControlTest {

    private static final int GUARD_SECONDS = 20;

    private static Path file(String name, int size) throws Exception {
        Path path = TestFiles.newDirectory(name).resolve("data");
        Files.write(path, TestFiles.randomBytes(name.hashCode(), size));
        return path;
    }

    /** Counts calls per attachment: each request's handler must be called exactly once. */
    static final class CountingHandler implements AioHandler<Integer> {
        final ConcurrentHashMap<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Integer, Object> outcomes = new ConcurrentHashMap<>();
        final CountDownLatch done;

        CountingHandler(int expected) {
            done = new CountDownLatch(expected);
        }

        @Override
        public void completed(long result, Integer attachment) {
            calls.computeIfAbsent(attachment, k -> new AtomicInteger()).incrementAndGet();
            outcomes.put(attachment, result);
            done.countDown();
        }

        @Override
        public void failed(Throwable failure, Integer attachment) {
            calls.computeIfAbsent(attachment, k -> new AtomicInteger()).incrementAndGet();
            outcomes.put(attachment, failure);
            done.countDown();
        }

        void awaitAll() throws InterruptedException {
            assertTrue(done.await(GUARD_SECONDS, TimeUnit.SECONDS), "not every handler was called");
        }
    }

    @Test
    void handlersAreCalledExactlyOnceWithTheirAttachment() throws Exception {
        Path path = file("handlers", 64 * 4096);
        int n = 200;
        CountingHandler handler = new CountingHandler(n + 2);
        try (AioContext ctx = AioContext.open(16); Arena arena = Arena.ofShared()) {
            AioFile file = AioFile.open(ctx, path, READ);
            for (int i = 0; i < n; i++) {
                file.read(arena.allocate(4096), (i % 64) * 4096L, IoOptions.NONE, i, handler);
            }
            file.read(arena.allocate(4096), 1L << 40, IoOptions.NONE, -1, handler); // past the end: 0 bytes
            file.close();
            file.read(arena.allocate(4096), 0, IoOptions.NONE, -2, handler);        // closed: failed
            handler.awaitAll();
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, handler.calls.get(i).get(), "handler calls for request " + i);
            assertEquals(4096L, handler.outcomes.get(i));
        }
        assertEquals(0L, handler.outcomes.get(-1));
        assertInstanceOf(ClosedChannelException.class, handler.outcomes.get(-2));
        assertEquals(n + 2, handler.calls.values().stream().mapToInt(AtomicInteger::get).sum());
    }

    @Test
    void theHandlerFormAllocatesNothingPerRequestOnTheSubmittingThread() throws Exception {
        Path path = file("handler-alloc", 16 * 4096);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeFalse(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4")),
                "this JVM runs without C2 (-XX:TieredStopAtLevel < 4): steady state is not reached");
        try (AioContext ctx = AioContext.open(4); AioFile file = AioFile.open(ctx, path, READ);
                Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(4096);
            AtomicInteger done = new AtomicInteger();
            AioHandler<AtomicInteger> handler = new AioHandler<>() {
                @Override
                public void completed(long result, AtomicInteger counter) {
                    counter.incrementAndGet();
                }

                @Override
                public void failed(Throwable failure, AtomicInteger counter) {
                    counter.addAndGet(1 << 20);
                }
            };
            long perRound = Long.MAX_VALUE;
            for (int round = 0; round < 5 && perRound > 0; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 20_000; i++) {
                    int target = done.get() + 1;
                    file.read(buf, (i % 16) * 4096L, IoOptions.NONE, done, handler);
                    while (done.get() < target) {
                        Thread.onSpinWait();
                    }
                }
                perRound = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertTrue(perRound < 20_000, "the submitting thread allocated " + perRound + " bytes for 20 000 reads");
            assertTrue(done.get() < 1 << 20, "a read failed");
        }
    }

    @Test
    void futuresCompleteOnTheContextsExecutorAndPerRequestOnTheirOwn() throws Exception {
        Path path = file("executors", 8 * 4096);
        ExecutorService ctxPool = Executors.newSingleThreadExecutor(r -> new Thread(r, "ctx-completions"));
        ExecutorService ownPool = Executors.newSingleThreadExecutor(r -> new Thread(r, "own-completions"));
        // both executors are held until every dependent stage is registered: so the stages run where
        // the futures complete, not on this thread
        CountDownLatch hold = new CountDownLatch(1);
        ctxPool.execute(() -> awaitQuietly(hold));
        ownPool.execute(() -> awaitQuietly(hold));
        try (AioContext ctx = AioContext.open(16, AioContext.Options.defaults().completionExecutor(ctxPool));
                AioFile file = AioFile.open(ctx, path, READ); Arena arena = Arena.ofShared()) {
            List<CompletableFuture<String>> onCtx = new ArrayList<>();
            List<CompletableFuture<String>> onOwn = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                onCtx.add(file.read(arena.allocate(4096), i * 4096L).thenApply(n -> Thread.currentThread().getName()));
                onOwn.add(file.read(arena.allocate(4096), i * 4096L, IoOptions.NONE.completeOn(ownPool))
                        .thenApply(n -> Thread.currentThread().getName()));
            }
            hold.countDown();
            for (CompletableFuture<String> f : onCtx) {
                assertEquals("ctx-completions", f.get(GUARD_SECONDS, TimeUnit.SECONDS));
            }
            for (CompletableFuture<String> f : onOwn) {
                assertEquals("own-completions", f.get(GUARD_SECONDS, TimeUnit.SECONDS));
            }
            // a rejecting executor: the completion runs where it was collected instead of being lost
            ownPool.shutdown();
            CompletableFuture<Integer> rejected = file.read(arena.allocate(4096), 0, IoOptions.NONE.completeOn(ownPool));
            assertEquals(4096, rejected.get(GUARD_SECONDS, TimeUnit.SECONDS));
        } finally {
            hold.countDown();
            ctxPool.shutdown();
            ownPool.shutdown();
        }
    }

    @Test
    void aSlowCallbackOnAnExecutorDoesNotHoldUpOtherCompletions() throws Exception {
        Path path = file("slowcb", 8 * 4096);
        ExecutorService slow = Executors.newSingleThreadExecutor(r -> new Thread(r, "slow"));
        CountDownLatch release = new CountDownLatch(1);
        try (AioContext ctx = AioContext.open(8); AioFile file = AioFile.open(ctx, path, READ);
                Arena arena = Arena.ofShared()) {
            // The slow executor is busy until release (a callback that blocks): a request completed on it
            // waits behind that callback, and must not hold up one completed by kaio's own threads. (The
            // blocking task is queued first, not attached to the future with thenRun: a read completed by
            // then would run it on this thread.)
            slow.execute(() -> awaitQuietly(release));
            CompletableFuture<Integer> blocked = file.read(arena.allocate(4096), 0, IoOptions.NONE.completeOn(slow));
            CompletableFuture<Integer> other = file.read(arena.allocate(4096), 4096);
            other.thenRun(() -> { }); // a callback: completed by the reaper
            assertEquals(4096, other.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertFalse(blocked.isDone(), "a request completed on the busy executor waits for it");
            release.countDown();
            assertEquals(4096, blocked.get(GUARD_SECONDS, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            slow.shutdown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aBatchSubmitsRequestsOnSeveralFilesAndEachEndsOnce() throws Exception {
        Path a = file("batch-a", 8 * 4096);
        Path b = file("batch-b", 8 * 4096);
        try (AioContext ctx = AioContext.open(8); AioFile fa = AioFile.open(ctx, a, READ, WRITE);
                AioFile fb = AioFile.open(ctx, b, READ); Arena arena = Arena.ofShared();
                AioBatch batch = ctx.newBatch()) {
            MemorySegment ra = arena.allocate(4096);
            MemorySegment rb = arena.allocate(4096);
            MemorySegment w = arena.allocate(4096);
            w.fill((byte) 5);
            CompletableFuture<Integer> readA = batch.read(fa, ra, 4096);
            CompletableFuture<Integer> readB = batch.read(fb, rb, 8192);
            CompletableFuture<Long> writeA = batch.writev(fa, List.of(w), 3 * 4096);
            CountingHandler handler = new CountingHandler(1);
            batch.read(fb, arena.allocate(4096), 0, IoOptions.NONE, 7, handler);
            assertEquals(4, batch.size());
            assertTrue(!readA.isDone() && !readB.isDone(), "nothing is submitted before submit()");
            batch.submit();
            assertEquals(0, batch.size());
            assertEquals(4096, readA.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertEquals(4096, readB.get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertEquals(4096L, writeA.get(GUARD_SECONDS, TimeUnit.SECONDS));
            handler.awaitAll();
            assertEquals(4096L, handler.outcomes.get(7));
            TestFiles.assertBytesEqual(TestFiles.readWithFileChannel(a, 4096, 4096), TestFiles.toBytes(ra), "batch read A");
            TestFiles.assertBytesEqual(TestFiles.readWithFileChannel(b, 8192, 4096), TestFiles.toBytes(rb), "batch read B");
            TestFiles.assertBytesEqual(TestFiles.toBytes(w), TestFiles.readWithFileChannel(a, 3 * 4096, 4096), "batch write");

            // a closed file's request fails alone; the rest of the batch goes ahead
            CompletableFuture<Integer> onB = batch.read(fb, rb, 0);
            CompletableFuture<Integer> onA = batch.read(fa, ra, 0);
            fb.close();
            batch.submit();
            assertInstanceOf(ClosedChannelException.class, cause(onB));
            assertEquals(4096, onA.get(GUARD_SECONDS, TimeUnit.SECONDS));

            // prepared and never submitted: close() fails them
            CompletableFuture<Integer> dropped = batch.read(fa, ra, 0);
            batch.close();
            assertInstanceOf(CancellationException.class, cause(dropped));
            assertThrows(IllegalArgumentException.class, () -> {
                try (AioContext other = AioContext.open(1)) {
                    other.newBatch().read(fa, ra, 0);
                }
            }, "a file of another context");
        }
    }

    @Test
    void aBatchHoldsAtMostTheQueueDepth() throws Exception {
        Path a = file("batch-depth", 4 * 4096);
        try (AioContext ctx = AioContext.open(2); AioFile f = AioFile.open(ctx, a, READ); Arena arena = Arena.ofShared();
                AioBatch batch = ctx.newBatch()) {
            batch.read(f, arena.allocate(4096), 0);
            batch.read(f, arena.allocate(4096), 4096);
            assertThrows(IllegalStateException.class, () -> batch.read(f, arena.allocate(4096), 8192));
        }
    }

    private static Throwable cause(CompletableFuture<?> f) throws Exception {
        try {
            f.get(GUARD_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    @Test
    void aHandlerThatThrowsIsLoggedAndTheContextGoesOn() throws Exception {
        Path path = file("throwing", 4 * 4096);
        AtomicReference<java.util.logging.LogRecord> logged = new AtomicReference<>();
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.kaio");
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.compareAndSet(null, r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try (AioContext ctx = AioContext.open(4); AioFile file = AioFile.open(ctx, path, READ);
                Arena arena = Arena.ofShared()) {
            CountDownLatch called = new CountDownLatch(1);
            file.read(arena.allocate(4096), 0, IoOptions.NONE, null, new AioHandler<Object>() {
                @Override
                public void completed(long result, Object attachment) {
                    called.countDown();
                    throw new IllegalStateException("a bug in the handler");
                }

                @Override
                public void failed(Throwable failure, Object attachment) {
                }
            });
            assertTrue(called.await(GUARD_SECONDS, TimeUnit.SECONDS));
            assertEquals(4096, file.read(arena.allocate(4096), 4096).get(GUARD_SECONDS, TimeUnit.SECONDS));
        } finally {
            jul.removeHandler(capture);
        }
        assertEquals("a bug in the handler", logged.get().getThrown().getMessage());
    }
}
