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
package dev.kaio.internal.core;

/**
 * What the {@link RequestEngine} needs from the kernel: one AIO context, its completion queue and a
 * few eventfds. {@code dev.kaio.internal.sys.LinuxKernel} implements it with the system calls; the
 * tests implement it in plain Java (a fake kernel that refuses, completes late, out of order, or
 * cancels too early or too late) so that a controlled-concurrency tool can explore the engine.
 *
 * <p>Results follow the kernel convention: a non-negative value, or {@code -errno}. No method throws
 * for a kernel error. Which threads may call what (the engine guarantees it):
 * <ul>
 *   <li>{@link #submit} and {@link #cancel}: any thread, for a slot it owns or has pinned;</li>
 *   <li>{@link #reap} and {@link #reapWaiting}: one thread at a time (the holder of the engine's reap
 *       lock), never after {@link #destroy};</li>
 *   <li>{@link #awaitEventFd}: one thread at a time per scratch index;</li>
 *   <li>everything else: any thread.</li>
 * </ul>
 */
public interface Kernel {

    /** Receives completed events; called by {@link #reap} on the reaping thread. */
    interface EventSink {
        void event(long userData, long result);
    }

    /**
     * io_submit of {@code request}, written into the iocb of {@code slot} with aio_data
     * {@code userData} and, when {@code resfd >= 0}, IOCB_FLAG_RESFD to that eventfd. Returns 1 when the
     * kernel took it (its event will follow), or {@code -errno} when it refused it (no event follows).
     * Retries EINTR; reports a 0 return as {@code -EAGAIN}.
     */
    long submit(int slot, long userData, Request request, int resfd);

    /**
     * io_submit of {@code count} requests in one call: {@code requests[i]}, written into the iocb of
     * {@code slots[i]} with aio_data {@code userData[i]} and RESFD {@code resfd} (when {@code >= 0}), for
     * i in [from, from + count). Returns how many the kernel took (always the first ones, whose events
     * will follow), or {@code -errno} when it took none (the first one was refused; the others were not
     * looked at). Retries EINTR.
     */
    long submitAll(int[] slots, Request[] requests, long[] userData, int resfd, int from, int count);

    /**
     * io_cancel of the request submitted from {@code slot}. 0 when the kernel took the cancellation (the
     * request's event follows, with -ECANCELED or, for a poll, an empty mask); otherwise {@code -errno}
     * (EINVAL: not cancellable or not found; EAGAIN: completing).
     */
    long cancel(int slot);

    /**
     * Without blocking, hands every completed event to {@code sink} (from the completion ring in user
     * space, or io_getevents with a zero timeout). Returns how many, or {@code -errno}.
     */
    int reap(EventSink sink);

    /**
     * Waits up to {@code timeoutNanos} (negative: without limit) for at least one event in io_getevents
     * and hands every event to {@code sink}; 0 on timeout. Only for contexts without a reaper (eventfd
     * mode), where the reap lock's holder may wait in the kernel.
     */
    int reapWaiting(EventSink sink, long timeoutNanos);

    /**
     * Without a system call, where the completed events wait: -1 when none waits, otherwise a mark of
     * the oldest one (the ring's head) that stays the same until it is reaped. A port that cannot tell
     * (no ring) returns 0.
     */
    long unreapedMark();

    /** True if {@link #reap} reads the completion ring in user space (no system call when it is empty). */
    boolean reapsFromRing();

    /** Creates a blocking eventfd; returns its descriptor or {@code -errno}. */
    int createEventFd();

    /**
     * Waits until eventfd {@code fd}'s counter is non-zero, or {@code timeoutNanos} passed (negative:
     * without limit), and resets it. Returns 1 when it was signalled, 0 on timeout, or {@code -errno}
     * ({@code -EINTR} included). {@code scratch} selects native scratch memory: a slot index, or the
     * queue depth for the reaper; one thread at a time per index.
     */
    int awaitEventFd(int fd, int scratch, long timeoutNanos);

    /** Adds 1 to eventfd {@code fd}'s counter; returns 0 or {@code -errno}. */
    int signalEventFd(int fd);

    /** Closes descriptor {@code fd}. */
    void closeEventFd(int fd);

    /** io_destroy: the kernel cancels what it can and waits for every request in flight. 0 or -errno. */
    long destroy();

    /**
     * Frees the port's memory, after a successful {@link #destroy}. Afterwards only
     * {@link #signalEventFd} and {@link #closeEventFd} may be called.
     */
    void release();
}
