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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.Commands;
import dev.kaio.testing.Fds;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Buffer leases: a buffer the kernel may still write into is never handed to another lease, nor freed,
 * whatever order the program closes things in. The request kept in flight is a read of a FIFO: for a
 * pipe, io_submit itself waits for data, so the request stays in the kernel until the test writes.
 */
class BufferPoolTest {

    private static final int GUARD_SECONDS = 20;

    /**
     * A thread per task: the reader blocks (in io_submit, reading the FIFO) until the test writes, so
     * the common pool, with one thread on a 2-CPU machine, would run a second task only after that.
     */
    private static final java.util.concurrent.Executor THREADS = task -> {
        Thread t = new Thread(task, "buffer-pool-test");
        t.setDaemon(true);
        t.start();
    };

    /** A FIFO opened read-write (so that neither open blocks), and a thread blocked reading it through kaio. */
    private static Path fifo(String name) throws Exception {
        Path dir = TestFiles.newDirectory(name);
        Path fifo = dir.resolve("fifo");
        Commands.run(List.of("mkfifo", fifo.toString()));
        return fifo;
    }

    @Test
    void aLeaseGoesBackOnlyWhenItsRequestHasCompleted() throws Exception {
        Path fifo = fifo("lease-inflight");
        try (AioContext ctx = AioContext.open(4); AioFile pipe = AioFile.open(ctx, fifo, READ, WRITE);
                BufferPool pool = BufferPool.of(1, 4096, 4096)) {
            BufferLease lease = pool.acquire();
            MemorySegment buf = lease.segment();
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> pipe.read(buf, 0).join(), THREADS);
            awaitInFlight(ctx, 1);
            lease.close();
            assertNull(pool.tryAcquire(), "the buffer was handed out again while the kernel could still write into it");
            assertThrows(IllegalStateException.class, lease::segment, "a closed lease's segment");
            Fds.write(pipe.fd(), "hello".getBytes());
            assertEquals(5, read.get(GUARD_SECONDS, TimeUnit.SECONDS));
            // the buffer is counted out of its pool before the future completes: it is back already
            try (BufferLease again = pool.tryAcquire()) {
                assertNotNull(again, "the buffer is back once the read completed");
                assertEquals("hello", new String(again.segment().asSlice(0, 5).toArray(
                        java.lang.foreign.ValueLayout.JAVA_BYTE)));
            }
        }
    }

    @Test
    void closingThePoolWaitsForRequestsAndFreesOnlyAfterTheLastLease() throws Exception {
        Path fifo = fifo("pool-close");
        try (AioContext ctx = AioContext.open(4); AioFile pipe = AioFile.open(ctx, fifo, READ, WRITE)) {
            BufferPool pool = BufferPool.of(2, 4096, 4096);
            BufferLease a = pool.acquire();
            BufferLease b = pool.acquire();
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> pipe.read(a.segment(), 0).join(), THREADS);
            awaitInFlight(ctx, 1);
            a.close();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(pool::close, THREADS);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> closed.get(200, TimeUnit.MILLISECONDS),
                    "close() returned while a request still used a buffer");
            Fds.write(pipe.fd(), new byte[] {1});
            assertEquals(1, read.get(GUARD_SECONDS, TimeUnit.SECONDS));
            closed.get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertFalse(pool.isFreed(), "the memory was freed while lease b is open");
            assertThrows(IllegalStateException.class, pool::tryAcquire, "no leases from a closed pool");
            b.segment().fill((byte) 7); // still valid memory
            b.close();
            assertTrue(pool.isFreed(), "the memory is freed with the last lease");
        }
    }

    @Test
    void aClosedLeasesBufferIsRefusedAndNothingIsSubmitted() throws Exception {
        Path path = TestFiles.newDirectory("stale").resolve("data");
        Files.write(path, new byte[8192]);
        try (AioContext ctx = AioContext.open(4); AioFile file = AioFile.open(ctx, path, READ);
                BufferPool pool = BufferPool.of(2, 4096, 4096)) {
            BufferLease stale = pool.acquire();
            BufferLease other = pool.acquire();
            MemorySegment kept = stale.segment();
            stale.close(); // its buffer is free: a request given the kept segment is refused
            assertThrows(IllegalStateException.class, () -> file.read(kept, 0));
            assertThrows(IllegalStateException.class, () -> file.readv(List.of(other.segment(), kept), 0),
                    "a vector with one stale segment");
            stale.close(); // a second close must not give back anything
            assertEquals(1, pool.available());
            assertEquals(4096, file.read(other.segment(), 0).get(GUARD_SECONDS, TimeUnit.SECONDS));
            assertEquals(0, ctx.inFlight());
            other.close();
            assertEquals(2, pool.available(), "the refused vector's count on the other lease was undone");
            // (once the buffer is leased again, the kept segment aliases the new lease: a program bug kaio
            // cannot tell from a legitimate use, but the memory stays valid and owned by the pool)
        }
        // the file's count was undone for the refused requests: close() did not wait for them
    }

    @Test
    void aPoolForAnODirectFileIsAlignedForIt() throws Exception {
        Path path = TestFiles.newDirectory("aligned").resolve("data");
        Files.write(path, TestFiles.randomBytes(9, 64 * 1024));
        try (AioContext ctx = AioContext.open(8);
                AioFile file = AioFile.open(ctx, path, READ, AioOpenOption.DIRECT);
                BufferPool pool = BufferPool.forFile(file, 8192, 4)) {
            assertEquals(0, pool.alignment() % file.alignment());
            try (BufferLease lease = pool.acquire()) {
                assertEquals(0, lease.segment().address() % pool.alignment());
                assertEquals(8192, file.read(lease.segment(), 8192).get(GUARD_SECONDS, TimeUnit.SECONDS));
                TestFiles.assertBytesEqual(TestFiles.readWithFileChannel(path, 8192, 8192),
                        TestFiles.toBytes(lease.segment()), "read through a lease");
                assertSame(pool, lease.pool());
            }
        }
    }

    /** Leases used in vectored requests are counted in and out per segment, and come back when closed. */
    @Test
    void vectoredRequestsCountEverySegmentAndLeasesComeBack() throws Exception {
        Path path = TestFiles.newDirectory("pool-vector").resolve("data");
        byte[] data = TestFiles.randomBytes(12, 4 * 4096);
        Files.write(path, data);
        try (AioContext ctx = AioContext.open(4); AioFile file = AioFile.open(ctx, path, READ, WRITE);
                BufferPool pool = BufferPool.of(3, 4096, 4096)) {
            assertEquals(3, pool.capacity());
            assertEquals(4096, pool.bufferSize());
            assertEquals("BufferPool[3 x 4096 B, aligned 4096, 3 free]", pool.toString());
            for (int round = 0; round < 3; round++) { // the same buffers, leased again and again
                BufferLease a = pool.acquire();
                BufferLease b = pool.acquire();
                assertEquals(1, pool.available());
                assertEquals(2L * 4096, file.readv(List.of(a.segment(), b.segment()), 4096)
                        .get(GUARD_SECONDS, TimeUnit.SECONDS));
                TestFiles.assertBytesEqual(java.util.Arrays.copyOfRange(data, 4096, 8192), TestFiles.toBytes(a.segment()),
                        "the first segment");
                assertEquals(2L * 4096, file.writev(List.of(b.segment(), a.segment()), 2 * 4096)
                        .get(GUARD_SECONDS, TimeUnit.SECONDS));
                a.close();
                b.close();
                assertEquals(3, pool.available(), "both buffers are back once their requests ended, round " + round);
            }
        }
    }

    @Test
    void theSmallestPoolIsOneByteUnaligned() throws Exception {
        try (BufferPool pool = BufferPool.of(1, 1, 1); BufferLease lease = pool.acquire()) {
            assertEquals(1, lease.segment().byteSize());
            assertEquals(1, pool.alignment());
        }
    }

    @Test
    void badPoolsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BufferPool.of(0, 4096, 4096));
        assertThrows(IllegalArgumentException.class, () -> BufferPool.of(1, 4096, 3000));
        assertThrows(IllegalArgumentException.class, () -> BufferPool.of(1, 1000, 4096));
    }

    private static void awaitInFlight(AioContext ctx, int n) throws InterruptedException {
        // the reading thread is inside io_submit (which waits for the pipe's data): the slot is taken
        awaitTrue("the request never got in flight", () -> ctx.inFlight() >= n);
    }

    /** Waits until {@code condition} holds; the bound only turns a hang into a failure. */
    private static void awaitTrue(String never, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError(never);
            }
            Thread.sleep(1);
        }
    }
}
