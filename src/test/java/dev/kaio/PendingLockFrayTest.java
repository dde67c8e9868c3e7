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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.FrayExplored;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link PendingLock}'s protocol under Fray, against a fake kernel ({@link FakeSite}): one lock request
 * whose range another process holds for its first attempt, its retries run by a retry thread, and a
 * cancel or a close() racing them. Checked once every thread has finished, in every interleaving:
 * the future ends once and says what happened; the channel forgets the request exactly once; a lock
 * granted after the cancel or close won is given back (F_UNLCK) while the descriptor is still pinned;
 * no fcntl runs on an unpinned or closed descriptor; the range leaves the overlap table unless a lock
 * holds it. (The real-kernel lock/close stress of {@code KaioAsyncFileChannelTest} reaches these windows
 * only now and then.)
 */
class PendingLockFrayTest {

    @FrayExplored(iterations = 300)
    void aCancelRacingTheRetriesEndsTheRequestOnceAndLeavesNoLockBehind() throws Exception {
        FakeSite site = new FakeSite(1);
        PendingLock request = site.request();
        request.attempt(); // the caller's attempt: refused, a retry is scheduled
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread retrier = site.retrier(request);
        Thread canceller = new Thread(() -> cancelled.set(request.cancel(false)));
        retrier.start();
        canceller.start();
        retrier.join();
        canceller.join();

        site.assertNoViolation();
        assertTrue(request.isDone());
        assertEquals(1, site.withdrawn.get() + site.forgotten.get(), "the channel forgets the request exactly once");
        if (cancelled.get()) {
            assertTrue(request.isCancelled());
            assertThrows(CancellationException.class, request::get);
            assertFalse(site.held.get(), "a lock granted after the cancel was given back");
            assertEquals(0, site.grants.get());
            assertEquals(1, site.withdrawn.get(), "the range left the table");
        } else {
            assertSame(site.lock, request.get(), "granted before the cancel");
            assertTrue(site.held.get());
            assertEquals(0, site.withdrawn.get(), "the granted lock keeps its range");
        }
    }

    @FrayExplored(iterations = 300)
    void aCloseRacingTheRetriesFailsTheRequestAndMakesNoCallOnTheClosedDescriptor() throws Exception {
        FakeSite site = new FakeSite(1);
        PendingLock request = site.request();
        request.attempt();
        Thread retrier = site.retrier(request);
        Thread closer = new Thread(() -> site.close(request));
        retrier.start();
        closer.start();
        retrier.join();
        closer.join();
        assertEndedByCloseOrGranted(site, request);
    }

    @FrayExplored(iterations = 300)
    void aCloseRacingTheFirstAttemptFailsTheRequestAndMakesNoCallOnTheClosedDescriptor() throws Exception {
        FakeSite site = new FakeSite(0); // the range is free: the first attempt gets it, unless close wins
        PendingLock request = site.request();
        Thread closer = new Thread(() -> site.close(request));
        closer.start();
        request.attempt(); // lock()'s attempt on the caller's thread, as close() runs
        closer.join();
        assertEndedByCloseOrGranted(site, request);
    }

    private static void assertEndedByCloseOrGranted(FakeSite site, PendingLock request) throws Exception {
        site.assertNoViolation();
        assertTrue(request.isDone(), "close() returned with the request still pending");
        assertEquals(1, site.withdrawn.get() + site.forgotten.get(), "the channel forgets the request exactly once");
        assertFalse(site.held.get(), "closing the descriptor released every lock");
        if (site.grants.get() == 0) {
            ExecutionException e = assertThrows(ExecutionException.class, request::get);
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            assertEquals(1, site.withdrawn.get(), "the range left the table");
        } else {
            assertSame(site.lock, request.get(), "granted before close() reached it");
            assertEquals(0, site.withdrawn.get(), "the granted lock keeps its range (close unregisters it)");
        }
    }

    /**
     * One channel's side of a lock request, faked: a descriptor with AioFile's pin protocol (close()
     * refuses new pins, waits for those in progress, then closes it, which releases the lock), one
     * range that another process holds for the first {@code busyAttempts} attempts, and a retry
     * queue that {@link #retrier} runs.
     */
    static final class FakeSite implements LockSite {
        final AtomicInteger busyAttempts;
        final AtomicBoolean held = new AtomicBoolean();
        final AtomicInteger pins = new AtomicInteger();
        final AtomicBoolean closing = new AtomicBoolean();
        final AtomicBoolean fdClosed = new AtomicBoolean();
        final AtomicInteger withdrawn = new AtomicInteger();
        final AtomicInteger forgotten = new AtomicInteger();
        final AtomicInteger grants = new AtomicInteger();
        final AtomicReference<String> violation = new AtomicReference<>();
        final ConcurrentLinkedQueue<Retry> retries = new ConcurrentLinkedQueue<>();
        final FileLock lock = new FileLock(NoChannel.INSTANCE, 0, 10, false) {
            @Override
            public boolean isValid() {
                return true;
            }

            @Override
            public void release() {}
        };

        FakeSite(int busyAttempts) {
            this.busyAttempts = new AtomicInteger(busyAttempts);
        }

        PendingLock request() {
            return new PendingLock(this, new FileLocks.Range(this, 0, 10), false);
        }

        /** Runs the scheduled retries until the request has ended and none is left. */
        Thread retrier(PendingLock request) {
            return new Thread(() -> {
                while (!request.isDone() || !retries.isEmpty()) {
                    Retry r = retries.poll();
                    if (r != null) {
                        r.run();
                    } else {
                        Thread.yield();
                    }
                }
            });
        }

        /** KaioFileChannel.close() for this one request, then AioFile.close() of the descriptor. */
        void close(PendingLock request) {
            if (!request.abandon(new AsynchronousCloseException())) {
                request.awaitOutcome();
            }
            closing.set(true);
            while (pins.get() != 0) {
                Thread.yield();
            }
            fdClosed.set(true);
            held.set(false); // close(2) releases the open file description's locks
        }

        void assertNoViolation() {
            assertNull(violation.get(), "a system call the lock protocol forbids");
        }

        private void checkDescriptor(String call) {
            if (fdClosed.get()) {
                violation.compareAndSet(null, call + " on a closed descriptor");
            } else if (pins.get() <= 0) {
                violation.compareAndSet(null, call + " on a descriptor nobody pinned");
            }
        }

        @Override
        public boolean pin() {
            pins.incrementAndGet();
            if (closing.get()) {
                pins.decrementAndGet();
                return false;
            }
            return true;
        }

        @Override
        public void unpin() {
            pins.decrementAndGet();
        }

        @Override
        public int tryLock(FileLocks.Range range, boolean shared) {
            checkDescriptor("F_OFD_SETLK");
            if (busyAttempts.getAndDecrement() > 0) {
                return -Errno.EAGAIN;
            }
            held.set(true);
            return 0;
        }

        @Override
        public int unlock(FileLocks.Range range) {
            checkDescriptor("F_UNLCK");
            held.set(false);
            return 0;
        }

        @Override
        public FileLock granted(FileLocks.Range range, boolean shared) {
            grants.incrementAndGet();
            return lock;
        }

        @Override
        public void withdraw(PendingLock request, FileLocks.Range range) {
            withdrawn.incrementAndGet();
        }

        @Override
        public void forget(PendingLock request) {
            forgotten.incrementAndGet();
        }

        @Override
        public ScheduledFuture<?> retryLater(Runnable attempt, long delayMillis) {
            Retry r = new Retry(attempt);
            retries.add(r);
            return r;
        }

        @Override
        public void closeQuietly() {
            violation.compareAndSet(null, "closeQuietly: only cancel(true) closes the channel");
        }

        @Override
        public String path() {
            return "fake";
        }
    }

    /** A scheduled retry: cancelling it before it runs withdraws it. */
    static final class Retry implements ScheduledFuture<Object>, Runnable {
        private final Runnable attempt;
        private final AtomicInteger state = new AtomicInteger(); // 0 scheduled, 1 ran, 2 cancelled

        Retry(Runnable attempt) {
            this.attempt = attempt;
        }

        @Override
        public void run() {
            if (state.compareAndSet(0, 1)) {
                attempt.run();
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return state.compareAndSet(0, 2);
        }

        @Override
        public boolean isCancelled() {
            return state.get() == 2;
        }

        @Override
        public boolean isDone() {
            return state.get() != 0;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed o) {
            return 0;
        }
    }

    /** The channel a fake FileLock names (FileLock needs one); every operation is refused. */
    static final class NoChannel extends AsynchronousFileChannel {
        static final NoChannel INSTANCE = new NoChannel();

        @Override
        public long size() {
            throw new UnsupportedOperationException();
        }

        @Override
        public AsynchronousFileChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void force(boolean metaData) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <A> void lock(long position, long size, boolean shared, A attachment,
                CompletionHandler<FileLock, ? super A> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<FileLock> lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Integer> read(ByteBuffer dst, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Integer> write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }
}
