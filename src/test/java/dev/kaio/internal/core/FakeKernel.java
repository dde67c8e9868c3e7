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

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * A kernel made of plain Java, for driving {@link RequestEngine} under a controlled-concurrency tool
 * (only {@code java.util.concurrent} locks and conditions, so that the tool sees every blocking point).
 * It behaves like Linux AIO where the engine can tell: io_submit takes or refuses a request; a taken
 * request stays "in the kernel" until the test (or {@link #autoComplete}) completes it, or io_cancel
 * cancels it (only polls are cancellable), or io_destroy; completed events wait in a ring until reaped;
 * a request with an eventfd signals it on completion; reading an eventfd blocks until its counter is
 * non-zero.
 *
 * <p>It also checks what the engine must never do, and records it in {@link #violations()}: touch a
 * closed or unknown eventfd, close one while a thread reads it, call anything after io_destroy but
 * closing and signalling eventfds, reap concurrently, and io_cancel a request other than the one the
 * engine meant (see {@link #cancelledFutures()}).
 */
final class FakeKernel implements Kernel {

    static final int EAGAIN = 11;
    static final int EBADF = 9;
    static final int EINVAL = 22;
    static final int EINTR = 4;
    static final int ECANCELED = 125;
    static final int EINPROGRESS = 115;
    static final short POLL = 5;
    static final short READ = 0;

    /** A request in the kernel. */
    static final class InKernel {
        final int slot;
        final long userData;
        final short opcode;
        final int resfd;
        final RequestFuture<?> future;
        final Thread submitter;

        InKernel(int slot, long userData, Request r, int resfd) {
            this.slot = slot;
            this.userData = userData;
            this.opcode = r.opcode;
            this.resfd = resfd;
            this.future = r.future();
            this.submitter = Thread.currentThread();
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Integer, InKernel> inKernel = new HashMap<>();          // by slot
    private final ArrayDeque<long[]> ring = new ArrayDeque<>();               // {userData, res}
    private final Map<Integer, Long> counters = new HashMap<>();             // open eventfds
    private final Map<Integer, Integer> readers = new HashMap<>();
    private final Map<Integer, Integer> timedOut = new HashMap<>();          // eventfd waits ended by their timer
    private final Map<Integer, Integer> resfds = new HashMap<>();            // slot -> the eventfd its last request signals
    private final Set<RequestFuture<?>> owned = new HashSet<>();              // futures the kernel still owns
    private final List<String> violations = new ArrayList<>();
    private final List<RequestFuture<?>> cancelled = new ArrayList<>();
    private final List<Thread> submitThreads = new ArrayList<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private final List<Integer> batchTaken = new ArrayList<>();
    private int nextFd = 100;
    private long ringHead;
    private boolean destroyed;
    private boolean released;
    private int reaping;

    /** Decides, per request, to refuse it at submission: an errno, or 0 to take it. */
    volatile ToIntFunction<Request> refuse = r -> 0;
    /** If set, a taken request completes at once with this result (its event may beat io_submit's return). */
    volatile Long autoComplete;
    /** If > 0, reap fails once with -errno. */
    volatile int failNextReap;

    // ------------------------------------------------------------------ Kernel

    @Override
    public long submit(int slot, long userData, Request r, int resfd) {
        lock.lock();
        try {
            submitThreads.add(Thread.currentThread());
            if (destroyed) {
                violation("io_submit after io_destroy");
                return -EINVAL;
            }
            if (inKernel.containsKey(slot)) {
                violation("slot " + slot + " submitted while its previous request is in the kernel");
            }
            if (resfd >= 0 && !counters.containsKey(resfd)) {
                return -EBADF;
            }
            int errno = refuse.applyAsInt(r);
            if (errno != 0) {
                return -errno;
            }
            InKernel k = new InKernel(slot, userData, r, resfd);
            inKernel.put(slot, k);
            resfds.put(slot, resfd);
            owned.add(k.future);
            Long auto = autoComplete;
            if (auto != null) {
                completeLocked(k, auto);
            }
            return 1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long submitAll(int[] slots, Request[] requests, long[] userData, int resfd, int from, int count) {
        lock.lock();
        try {
            batchSizes.add(count);
            for (int i = 0; i < count; i++) {
                long ret = submit(slots[from + i], userData[from + i], requests[from + i], resfd);
                if (ret != 1) {
                    batchTaken.add(i);
                    return i == 0 ? ret : i;
                }
            }
            batchTaken.add(count);
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** The sizes of the io_submit calls with several requests, and how many each took. */
    List<Integer> batchSizes() {
        lock.lock();
        try {
            return List.copyOf(batchSizes);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long cancel(int slot) {
        lock.lock();
        try {
            if (destroyed) {
                violation("io_cancel after io_destroy");
                return -EINVAL;
            }
            InKernel k = inKernel.get(slot);
            if (k == null) {
                return -EINVAL; // not found (completed, or never submitted)
            }
            cancelled.add(k.future);
            if (k.opcode != POLL) {
                return -EINVAL; // file I/O cannot be cancelled
            }
            completeLocked(k, 0); // a cancelled poll completes with an empty mask
            return -EINPROGRESS;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int reap(EventSink sink) {
        List<long[]> events = take(false, 0);
        if (events == null) {
            return -EAGAIN;
        }
        for (long[] e : events) {
            sink.event(e[0], e[1]);
        }
        done();
        return events.size();
    }

    @Override
    public int reapWaiting(EventSink sink, long timeoutNanos) {
        List<long[]> events = take(true, timeoutNanos);
        if (events == null) {
            return -EAGAIN;
        }
        for (long[] e : events) {
            sink.event(e[0], e[1]);
        }
        done();
        return events.size();
    }

    private List<long[]> take(boolean wait, long timeoutNanos) {
        lock.lock();
        try {
            if (destroyed) {
                violation("reap after io_destroy");
                return List.of();
            }
            if (reaping++ > 0) {
                violation("two threads reap at once");
            }
            int fail = failNextReap;
            if (fail > 0) {
                failNextReap = 0;
                reaping--;
                return null;
            }
            long nanos = timeoutNanos;
            while (wait && ring.isEmpty() && (timeoutNanos < 0 || nanos > 0)) {
                if (timeoutNanos < 0) {
                    changed.awaitUninterruptibly();
                } else {
                    nanos = changed.awaitNanos(nanos);
                }
            }
            List<long[]> out = new ArrayList<>(ring);
            ringHead += ring.size();
            ring.clear();
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    private void done() {
        lock.lock();
        try {
            reaping--;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long unreapedMark() {
        lock.lock();
        try {
            return ring.isEmpty() ? -1 : ringHead;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean reapsFromRing() {
        return true;
    }

    @Override
    public int createEventFd() {
        lock.lock();
        try {
            if (released) {
                violation("eventfd created after release");
            }
            int fd = nextFd++;
            counters.put(fd, 0L);
            return fd;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int awaitEventFd(int fd, int scratch, long timeoutNanos) {
        lock.lock();
        try {
            if (released) {
                violation("eventfd read after release");
            }
            if (!counters.containsKey(fd)) {
                violation("read of a closed or unknown eventfd " + fd);
                return -EBADF;
            }
            readers.merge(fd, 1, Integer::sum);
            try {
                long nanos = timeoutNanos;
                while (counters.getOrDefault(fd, 0L) == 0 && (timeoutNanos < 0 || nanos > 0)) {
                    if (timeoutNanos < 0) {
                        changed.awaitUninterruptibly();
                    } else {
                        nanos = changed.awaitNanos(nanos);
                    }
                }
                Long c = counters.get(fd);
                if (c == null || c == 0) {
                    timedOut.merge(fd, 1, Integer::sum);
                    return 0;
                }
                counters.put(fd, 0L);
                return 1;
            } finally {
                readers.merge(fd, -1, Integer::sum);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -EINTR;
        } finally {
            lock.unlock();
        }
    }

    /** The application's read(2) of its eventfd (not through the port's memory): blocks until signalled. */
    int applicationRead(int fd) {
        lock.lock();
        try {
            if (!counters.containsKey(fd)) {
                violation("the application read a closed or unknown eventfd " + fd);
                return -EBADF;
            }
            readers.merge(fd, 1, Integer::sum);
            try {
                while (counters.getOrDefault(fd, 0L) == 0) {
                    changed.awaitUninterruptibly();
                }
                counters.put(fd, 0L);
                return 1;
            } finally {
                readers.merge(fd, -1, Integer::sum);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int signalEventFd(int fd) {
        lock.lock();
        try {
            if (!counters.containsKey(fd)) {
                violation("write to a closed or unknown eventfd " + fd);
                return -EBADF;
            }
            counters.merge(fd, 1L, Long::sum);
            changed.signalAll();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void closeEventFd(int fd) {
        lock.lock();
        try {
            if (counters.remove(fd) == null) {
                violation("close of a closed or unknown eventfd " + fd);
            }
            if (readers.getOrDefault(fd, 0) > 0) {
                violation("eventfd " + fd + " closed while a thread reads it");
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long destroy() {
        lock.lock();
        try {
            if (destroyed) {
                violation("io_destroy twice");
            }
            destroyed = true;
            changed.signalAll();
            for (InKernel k : List.copyOf(inKernel.values())) {
                if (k.opcode == POLL) {
                    inKernel.remove(k.slot);
                    owned.remove(k.future);
                }
            }
            // io_destroy waits for what it cannot cancel: the test's device completes it
            while (!inKernel.isEmpty()) {
                changed.awaitUninterruptibly();
            }
            ring.clear();
            changed.signalAll();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release() {
        lock.lock();
        try {
            if (!destroyed) {
                violation("release before io_destroy");
            }
            released = true;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ the test's side: the device

    private void completeLocked(InKernel k, long res) {
        inKernel.remove(k.slot);
        owned.remove(k.future);
        if (!destroyed) {
            ring.add(new long[] {k.userData, res});
            if (k.resfd >= 0 && counters.containsKey(k.resfd)) {
                counters.merge(k.resfd, 1L, Long::sum);
            }
        }
        changed.signalAll();
    }

    /** Completes {@code f}'s request with {@code res}; false if it is not in the kernel (any more). */
    boolean complete(RequestFuture<?> f, long res) {
        lock.lock();
        try {
            for (InKernel k : inKernel.values()) {
                if (k.future == f) {
                    completeLocked(k, res);
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Completes the request in {@code slot} with {@code res}; false if none is there. */
    boolean complete(int slot, long res) {
        lock.lock();
        try {
            InKernel k = inKernel.get(slot);
            if (k == null) {
                return false;
            }
            completeLocked(k, res);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a request that is not a poll is in the kernel and completes it with {@code res};
     * false if {@code stop} says so first (checked on every change).
     */
    boolean completeNext(long res, java.util.function.BooleanSupplier stop) {
        lock.lock();
        try {
            while (true) {
                for (InKernel k : inKernel.values()) {
                    if (k.opcode != POLL) {
                        completeLocked(k, res);
                        return true;
                    }
                }
                if (stop.getAsBoolean()) {
                    return false;
                }
                changed.await(1, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes {@link #completeNext} waiters so they look at their stop condition. */
    void poke() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** True while the kernel still owns {@code f}'s request (its buffers). */
    boolean owns(RequestFuture<?> f) {
        lock.lock();
        try {
            return owned.contains(f);
        } finally {
            lock.unlock();
        }
    }

    /** How many waits on eventfd {@code fd} ended because their timer ran out (none signalled it). */
    int timedOut(int fd) {
        lock.lock();
        try {
            return timedOut.getOrDefault(fd, 0);
        } finally {
            lock.unlock();
        }
    }

    /** The eventfd that the last request submitted in {@code slot} signals on completion (-1: none). */
    int resfd(int slot) {
        lock.lock();
        try {
            return resfds.getOrDefault(slot, -1);
        } finally {
            lock.unlock();
        }
    }

    int inKernel() {
        lock.lock();
        try {
            return inKernel.size();
        } finally {
            lock.unlock();
        }
    }

    int openEventFds() {
        lock.lock();
        try {
            return counters.size();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until io_destroy has begun (it then waits for the requests it cannot cancel). */
    void awaitDestroyBegun() {
        lock.lock();
        try {
            while (!destroyed) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isDestroyed() {
        lock.lock();
        try {
            return destroyed;
        } finally {
            lock.unlock();
        }
    }

    List<RequestFuture<?>> cancelledFutures() {
        lock.lock();
        try {
            return List.copyOf(cancelled);
        } finally {
            lock.unlock();
        }
    }

    List<Thread> submitThreads() {
        lock.lock();
        try {
            return List.copyOf(submitThreads);
        } finally {
            lock.unlock();
        }
    }

    List<String> violations() {
        lock.lock();
        try {
            return List.copyOf(violations);
        } finally {
            lock.unlock();
        }
    }

    private void violation(String what) {
        violations.add(what + " (on " + Thread.currentThread().getName() + ")");
    }
}
