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

import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileLock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link KaioFileChannel#lock} until it is granted, fails, is cancelled or its channel closes.
 *
 * <p>No thread waits in the kernel for it: each attempt is a non-blocking F_OFD_SETLK, made first by
 * the caller of lock() and then, while another process holds the range, by {@link LockRetries} with
 * a bounded back-off. Each attempt pins the channel's descriptor (AioFile.beginRequest), so close()
 * cannot close it, and another file cannot get its number, in the middle of an attempt; an attempt
 * after close() finds the pin refused and makes no system call.
 *
 * <p>One state, changed only by CAS:
 * <pre>
 *   WAITING --attempt--> TRYING --granted / failed--> DONE
 *      |                   |  \--still held--> WAITING (next attempt scheduled)
 *      |                   \--abandon--> ABANDONED  (the attempt cleans up, and unlocks if it was granted)
 *      \--abandon--> DONE  (the abandoner cleans up)
 * </pre>
 * abandon() (cancel or close) completes the future itself, at once, in both cases; whoever moves to
 * DONE or ABANDONED removes the range from {@link FileLocks}' table, except for a granted lock,
 * whose range the {@link KaioFileLock} then owns. Everything it does to the channel and the kernel
 * goes through a {@link LockSite}, so that {@code PendingLockFrayTest} can check this protocol under
 * Fray against a fake kernel: in every interleaving of attempts, retries, cancel and close, the
 * future ends once, a lock granted too late is given back on the still-pinned descriptor, and no
 * fcntl reaches a descriptor that is unpinned or closed.
 */
final class PendingLock implements Future<FileLock>, Runnable {

    private static final int WAITING = 0;
    private static final int TRYING = 1;
    private static final int DONE = 2;
    private static final int ABANDONED = 3;

    /** attempt()'s outcome when the descriptor could not be pinned: the channel is closing. */
    private static final int CLOSED = Integer.MIN_VALUE;

    private final LockSite site;
    private final FileLocks.Range range;
    private final boolean shared;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final CompletableFuture<FileLock> result = new CompletableFuture<>();
    private volatile ScheduledFuture<?> nextAttempt;
    private int attempts; // only touched by the thread that moved the state to TRYING

    PendingLock(LockSite site, FileLocks.Range range, boolean shared) {
        this.site = site;
        this.range = range;
        this.shared = shared;
    }

    /** A request that failed before it was made (a closed channel). */
    static PendingLock failed(Throwable failure) {
        PendingLock request = new PendingLock(null, null, false);
        request.state.set(DONE);
        request.result.completeExceptionally(failure);
        return request;
    }

    /** The outcome, for dispatching to a completion handler. */
    CompletableFuture<FileLock> result() {
        return result;
    }

    @Override
    public void run() {
        attempt();
    }

    /** One non-blocking try; schedules the next if another process still holds the range. */
    void attempt() {
        if (!state.compareAndSet(WAITING, TRYING)) {
            return; // abandoned while waiting
        }
        int ret;
        boolean grantedTooLate = false;
        if (!site.pin()) {
            ret = CLOSED;
        } else {
            try {
                ret = site.tryLock(range, shared);
                if (ret == 0 && !state.compareAndSet(TRYING, DONE)) {
                    // cancelled or closed during the call: give it back while the descriptor is still ours
                    site.unlock(range);
                    grantedTooLate = true;
                }
            } finally {
                site.unpin();
            }
        }
        if (ret == 0 && !grantedTooLate) {
            result.complete(site.granted(range, shared));
            site.forget(this); // after: a close() that sees this request waits for the outcome
        } else if (grantedTooLate) {
            cleanUp();
        } else if (FileLocks.isBusy(ret) && state.compareAndSet(TRYING, WAITING)) {
            // (an abandon() between the CAS and this store misses the task, which then finds DONE and returns)
            nextAttempt = site.retryLater(this, LockRetries.backoffMillis(++attempts));
        } else if (state.compareAndSet(TRYING, DONE)) {
            cleanUp();
            result.completeExceptionally(ret == CLOSED ? new AsynchronousCloseException()
                    : new AioException(-ret, "fcntl(F_OFD_SETLK)", site.path()));
        } else {
            cleanUp(); // abandoned during the attempt: the future is already completed
        }
    }

    /**
     * Withdraws the request: fails the future with {@code reason}, or cancels it when {@code reason} is
     * null. False if it was granted or failed first (its outcome may still be being published: see
     * {@link #awaitOutcome()}).
     */
    boolean abandon(Throwable reason) {
        while (true) {
            int s = state.get();
            if (s == WAITING && state.compareAndSet(WAITING, DONE)) {
                ScheduledFuture<?> next = nextAttempt;
                if (next != null) {
                    next.cancel(false);
                }
                cleanUp();
                fail(reason);
                return true;
            }
            if (s == TRYING && state.compareAndSet(TRYING, ABANDONED)) {
                fail(reason); // the attempt in progress cleans up
                return true;
            }
            if (s == DONE || s == ABANDONED) {
                return false;
            }
        }
    }

    /** Waits the moment it takes the thread that won the state to publish the outcome. */
    void awaitOutcome() {
        while (!result.isDone()) {
            Thread.yield();
        }
    }

    private void fail(Throwable reason) {
        if (reason == null) {
            result.cancel(false);
        } else {
            result.completeExceptionally(reason);
        }
    }

    private void cleanUp() {
        site.withdraw(this, range);
    }

    /**
     * Cancels the request if it is still waiting: its range is free again at once. As with the JDK's
     * channel, {@code mayInterruptIfRunning} also closes the channel (AsynchronousChannel's "may be
     * interrupted by closing the channel").
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (abandon(null)) {
            if (mayInterruptIfRunning) {
                site.closeQuietly();
            }
            return true;
        }
        awaitOutcome();
        return false;
    }

    @Override
    public boolean isCancelled() {
        return result.isCancelled();
    }

    @Override
    public boolean isDone() {
        return result.isDone();
    }

    @Override
    public FileLock get() throws InterruptedException, ExecutionException {
        return result.get();
    }

    @Override
    public FileLock get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return result.get(timeout, unit);
    }

    @Override
    public String toString() {
        return "PendingLock[" + range.position + ", size " + range.size + (shared ? ", shared" : "") + ", "
                + (result.isDone() ? "done" : "waiting") + "]";
    }
}
