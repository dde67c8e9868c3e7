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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.HandlerFuture;
import dev.kaio.testing.LockHolder;
import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The conformance suite against kaio's channel, plus what only kaio's channel does. */
class KaioAsyncFileChannelTest extends AsyncFileChannelConformance {

    @Override
    AsynchronousFileChannel open(Path path, OpenOption... options) throws IOException {
        return KaioFileChannel.open(path, options);
    }

    @Override
    AsynchronousFileChannel open(Path path, Set<? extends OpenOption> options, ExecutorService executor,
            FileAttribute<?>... attrs) throws IOException {
        return KaioFileChannel.open(path, options, executor, attrs);
    }

    @Override
    String implementation() {
        return "kaio";
    }

    @Override
    boolean closeCompletesPendingLocksBeforeReturning() {
        return true; // no thread waits in the kernel: close() fails the pending requests itself
    }

    @Override
    boolean cancelledLockFreesItsRange() {
        return true; // a cancelled request stops retrying and leaves the table at once
    }

    @Override
    boolean heapBuffersWorkWithDirectIo() {
        return true; // bounced through aligned pooled buffers
    }

    @Override
    boolean tryLockRacingCloseMayThrowAssertionError() {
        return false; // the granted lock is released and AsynchronousCloseException thrown
    }

    @Override
    boolean fileChannelLockOfThisJvmIsOverlapping() {
        return false; // an OFD lock and this process's POSIX lock conflict in the kernel: tryLock gives null
    }

    /**
     * Closing the channel's AioFile behind its back makes every operation say "closed": lock operations
     * pin the descriptor as reads and writes do, so none reaches the closed descriptor (EBADF) or a
     * number another file has been given since.
     */
    @Test
    void lockOperationsPinTheDescriptorLikeReadsAndWrites() throws Exception {
        Path p = TestFiles.newDirectory("kpin").resolve("l");
        Files.write(p, new byte[100]);
        KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock held = ch.tryLock(0, 10, false);
        assertNotNull(held);
        ch.aioFile().close();
        assertThrows(ClosedChannelException.class, held::release);
        assertThrows(ClosedChannelException.class, () -> ch.tryLock(20, 10, false));
        ExecutionException e = assertThrows(ExecutionException.class, () -> ch.lock(30, 10, false).get(30, TimeUnit.SECONDS));
        assertInstanceOf(ClosedChannelException.class, e.getCause());
        assertThrows(ClosedChannelException.class, ch::size);
        assertThrows(ClosedChannelException.class, () -> ch.truncate(1));
        e = assertThrows(ExecutionException.class, () -> ch.read(ByteBuffer.allocate(10), 0).get(30, TimeUnit.SECONDS));
        assertInstanceOf(ClosedChannelException.class, e.getCause());
        ch.close();
        assertEquals("KaioFileChannel[" + p + ", closed]", ch.toString());
    }

    @Test
    void aChannelDescribesItselfAndNeedsAnOpenContext() throws Exception {
        Path p = TestFiles.newDirectory("kdescribe").resolve("d");
        Files.write(p, new byte[100]);
        try (KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ)) {
            assertEquals("KaioFileChannel[" + p + "]", ch.toString());
        }
        AioContext ctx = AioContext.open(4);
        ctx.close();
        assertThrows(ClosedChannelException.class, () -> KaioFileChannel.open(ctx, p, java.util.Set.of(StandardOpenOption.READ),
                null));
    }

    /**
     * Direct buffers' addresses are remembered (a small two-way table, by identity): many buffers, some
     * sharing a place in the table, each used again and again, must each get exactly their own bytes.
     */
    @Test
    void manyDirectBuffersEachGetTheirOwnBytes() throws Exception {
        Path p = TestFiles.newDirectory("kdirect").resolve("d");
        byte[] data = TestFiles.randomBytes(21, 200 * 512);
        Files.write(p, data);
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            buffers.add(ByteBuffer.allocateDirect(512));
        }
        try (KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < buffers.size(); i++) {
                    int block = (i * 7 + round) % 200;
                    ByteBuffer b = buffers.get(i).clear();
                    assertEquals(512, ch.read(b, block * 512L).get(30, TimeUnit.SECONDS));
                    byte[] got = new byte[512];
                    b.flip().get(got);
                    TestFiles.assertBytesEqual(java.util.Arrays.copyOfRange(data, block * 512, block * 512 + 512), got,
                            "buffer " + i + ", round " + round);
                }
            }
        }
    }

    /**
     * A lock() future: granted, cancelling it does nothing (false) and leaves the channel open; still
     * waiting (another process holds the range), cancel(true) withdraws it and closes the channel, as
     * the JDK's does. Each describes itself.
     */
    @Test
    void cancellingALockFutureBeforeAndAfterItIsGranted() throws Exception {
        Path p = TestFiles.newDirectory("kcancel-lock").resolve("l");
        Files.write(p, new byte[100]);
        try (KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Future<FileLock> granted = ch.lock(0, 10, false);
            FileLock lock = granted.get();
            assertTrue(lock.isValid());
            assertFalse(granted.cancel(false));
            assertFalse(granted.cancel(true));
            assertFalse(granted.isCancelled());
            assertTrue(ch.isOpen(), "cancelling a granted lock's future does not close the channel");
            assertEquals("PendingLock[0, size 10, done]", granted.toString());
            lock.release();
        }
        try (LockHolder other = LockHolder.start(p);
                KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            other.lock(20, 10, false);
            Future<FileLock> waiting = ch.lock(20, 10, true);
            assertFalse(waiting.isDone());
            assertEquals("PendingLock[20, size 10, shared, waiting]", waiting.toString());
            assertTrue(waiting.cancel(true));
            assertTrue(waiting.isCancelled());
            assertThrows(java.util.concurrent.CancellationException.class, waiting::get);
            assertFalse(ch.isOpen(), "cancel(true) closes the channel");
        }
    }

    /**
     * A pending lock() costs no thread: a hundred of them waiting on ranges another process holds add
     * (almost) no threads to the JVM, and close() fails each at once.
     */
    @Test
    void pendingLocksDoNotHoldAThreadEach() throws Exception {
        Path p = TestFiles.newDirectory("kpending").resolve("l");
        Files.write(p, new byte[1000]);
        try (LockHolder other = LockHolder.start(p)) {
            other.lock(0, 1000, false);
            // warm up the shared pools, so that only per-lock threads would show up below
            try (KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Future<FileLock> f = ch.lock(999, 1, false);
                assertNull(ch.tryLock(0, 1, false));
                ch.close();
                assertThrows(ExecutionException.class, f::get);
            }
            int threadsBefore = Thread.activeCount();
            List<KaioFileChannel> channels = new ArrayList<>();
            List<Future<FileLock>> pending = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
                channels.add(ch);
                pending.add(ch.lock(i, 1, false));
            }
            int grown = Thread.activeCount() - threadsBefore;
            assertTrue(grown < 10, "100 pending locks added " + grown + " threads");
            for (Future<FileLock> f : pending) {
                assertFalse(f.isDone());
            }
            for (KaioFileChannel ch : channels) {
                ch.close();
            }
            for (Future<FileLock> f : pending) {
                assertTrue(f.isDone(), "close() fails a pending lock at once");
                ExecutionException e = assertThrows(ExecutionException.class, f::get);
                assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            }
            other.unlock();
        }
    }

    @Test
    void extendedOpenOptionDirectGivesODirect() throws Exception {
        Path p = TestFiles.newDirectory("kdirect").resolve("d");
        Files.write(p, TestFiles.randomBytes(4, 64 * 1024));
        try (KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ,
                com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            assertTrue(ch.aioFile().isDirect());
            int a = ch.alignment();
            assertTrue(a >= 512);
            // a heap buffer goes through an aligned bounce buffer
            ByteBuffer heap = ByteBuffer.allocate(4 * a);
            assertEquals(4 * a, get(ch.read(heap, a)));
            assertEquals(TestFiles.readWithFileChannel(p, a, 4 * a)[0], heap.get(0));
            // an aligned direct buffer goes straight through
            ByteBuffer direct = ByteBuffer.allocateDirect(8 * a).alignedSlice(a);
            direct.limit(4 * a);
            assertEquals(4 * a, get(ch.read(direct, 0)));
            // a misaligned position fails with EINVAL, like the JDK's IOException
            ExecutionException e = assertThrows(ExecutionException.class, () -> ch.read(ByteBuffer.allocate(a), 1).get());
            assertEquals(Errno.EINVAL, assertInstanceOf(AioException.class, e.getCause()).errno());
        }
    }

    @Test
    void operationsInFlightWhenTheChannelClosesEndWithAsynchronousCloseException() throws Exception {
        Path p = TestFiles.newDirectory("kclose").resolve("c");
        Files.write(p, new byte[1 << 20]);
        KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ);
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            fs.add(ch.read(ByteBuffer.allocate(16 * 1024), i * 16384L));
        }
        ch.close();
        for (Future<Integer> f : fs) {
            try {
                assertEquals(16384, f.get());
            } catch (ExecutionException e) {
                assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            }
        }
    }

    @Test
    void locksAreOpenFileDescriptionLocksThatConflictAcrossChannels() throws Exception {
        Path p = TestFiles.newDirectory("kofd").resolve("l");
        Files.write(p, new byte[100]);
        try (KaioFileChannel a = KaioFileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock held = a.tryLock(0, 10, false);
            assertNotNull(held);
            // the kernel lists it as an open-file-description lock (no owning pid) on this inode
            long inode = dev.kaio.internal.sys.FileStat.ofPath(p).inode();
            List<String> locks = Files.readAllLines(Path.of("/proc/locks"));
            assertTrue(locks.stream().anyMatch(l -> l.contains("OFDLCK") && l.contains("WRITE")
                    && l.contains(":" + inode + " 0 9")), String.join("\n", locks));
            // another channel of this JVM gets OverlappingFileLockException, as with the JDK
            try (KaioFileChannel b = KaioFileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                assertThrows(java.nio.channels.OverlappingFileLockException.class, () -> b.tryLock(5, 10, false));
                assertNotNull(b.tryLock(10, 10, false), "a disjoint range is free");
            }
            held.release();
        }
    }

    /**
     * An executor that refuses a handler (full, or shut down while the operation ran) does not lose it:
     * the handler runs once, on the thread that completed the operation, for reads, writes and locks.
     */
    @Test
    void aHandlerTheExecutorRefusesRunsOnTheCompletingThread() throws Exception {
        Path p = TestFiles.newDirectory("krefused").resolve("r");
        byte[] data = TestFiles.randomBytes(14, 4096);
        Files.write(p, data);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // one thread, no queue: while its thread is busy it refuses every task (AbortPolicy)
        ThreadPoolExecutor full = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>());
        try {
            full.execute(() -> {
                busy.countDown();
                awaitQuietly(release);
            });
            assertTrue(busy.await(30, TimeUnit.SECONDS));
            assertThrows(RejectedExecutionException.class, () -> full.execute(() -> { }));
            HandlerFuture<Integer> read = new HandlerFuture<>();
            HandlerFuture<Integer> write = new HandlerFuture<>();
            HandlerFuture<FileLock> lock = new HandlerFuture<>();
            try (KaioFileChannel ch = KaioFileChannel.open(p, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE), full)) {
                ByteBuffer b = ByteBuffer.allocateDirect(100);
                ch.read(b, 10, "r", read);
                assertEquals(100, read.get(30, TimeUnit.SECONDS));
                assertEquals(data[10 + 99], b.get(99));
                ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0, "w", write);
                assertEquals(3, write.get(30, TimeUnit.SECONDS));
                ch.lock("l", lock);
                lock.get(30, TimeUnit.SECONDS).release();
            }
            // the channel is closed and its requests are over: nothing can call a handler again
            for (HandlerFuture<?> h : List.of(read, write, lock)) {
                assertEquals(1, h.calls.get(), "exactly once");
                assertTrue(h.thread != null && !h.thread.getName().startsWith("pool-"), "ran on " + h.thread);
            }
            assertEquals(List.of("r", "w", "l"), List.of(read.attachment, write.attachment, lock.attachment));
        } finally {
            release.countDown();
            full.shutdown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A lock request is forgotten by its channel once it is over, however it ends (granted at once or
     * after waiting, cancelled, failed by close): a channel that locks and unlocks all day keeps
     * nothing per request.
     */
    @Test
    void lockRequestsAreForgottenWhenTheyEnd() throws Exception {
        Path p = TestFiles.newDirectory("kforget").resolve("l");
        Files.write(p, new byte[100]);
        try (LockHolder other = LockHolder.start(p);
                KaioFileChannel ch = KaioFileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 3; i++) {
                ch.lock(0, 10, false).get(30, TimeUnit.SECONDS).release();
            }
            assertEquals(0, ch.pendingLockRequests(), "granted at once");
            other.lock(20, 10, false);
            Future<FileLock> cancelled = ch.lock(20, 10, false);
            assertEquals(1, ch.pendingLockRequests());
            assertTrue(cancelled.cancel(false));
            assertEquals(0, ch.pendingLockRequests(), "cancelled while waiting");
            Future<FileLock> waited = ch.lock(20, 10, true);
            assertFalse(waited.isDone());
            other.unlock();
            waited.get(30, TimeUnit.SECONDS).release();
            // the retrying thread forgets the request just after completing its future
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ch.pendingLockRequests() != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(0, ch.pendingLockRequests(), "granted after waiting");
            other.lock(20, 10, false);
            Future<FileLock> failedByClose = ch.lock(20, 10, false);
            ch.close();
            assertInstanceOf(AsynchronousCloseException.class,
                    assertThrows(ExecutionException.class, () -> failedByClose.get(30, TimeUnit.SECONDS)).getCause());
            assertEquals(0, ch.pendingLockRequests(), "failed by close");
        }
    }

    @Test
    void createsFilesWithTheGivenPermissions() throws Exception {
        Path p = TestFiles.newDirectory("kperm").resolve("perm");
        var perms = java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----");
        try (KaioFileChannel ch = KaioFileChannel.open(p,
                Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW), null,
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(perms))) {
            assertTrue(ch.isOpen());
        }
        assertEquals(perms, Files.getPosixFilePermissions(p));
    }
}
