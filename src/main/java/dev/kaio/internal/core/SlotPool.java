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

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The free slots, and the threads waiting for one. A slot is taken by one CAS on the count of free
 * slots (which guarantees the pop that follows); a thread that finds none waits on a condition that
 * every {@link #put} signals while someone waits. {@link #close} wakes every waiter for good.
 *
 * <p>The count and the waiter count are a Dekker pair: {@code put} raises the count, then looks for
 * waiters; a waiter registers (under the lock), then looks at the count; so either the waiter sees the
 * slot, or {@code put} sees the waiter and signals it, and the lock makes the signal wait until the
 * waiter is in {@code await}. No wake-up is lost.
 */
public final class SlotPool {

    /** Returned by the take methods once the pool is closed. */
    public static final int CLOSED = -2;

    private final SlotStack free;
    private final AtomicInteger available;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private volatile boolean closed;

    public SlotPool(int capacity) {
        free = new SlotStack(capacity);
        available = new AtomicInteger(capacity);
    }

    /** A free slot, -1 if none is free, or {@link #CLOSED}. */
    public int tryTake() {
        if (closed) {
            return CLOSED;
        }
        int a;
        do {
            a = available.get();
            if (a <= 0) {
                return -1;
            }
        } while (!available.compareAndSet(a, a - 1));
        return free.pop(); // the count guarantees one
    }

    /** Waits for a free slot (a virtual thread unmounts); {@link #CLOSED} once closed. */
    public int take() throws InterruptedException {
        int slot = tryTake();
        if (slot != -1) {
            return slot;
        }
        lock.lockInterruptibly();
        try {
            waiting.incrementAndGet();
            try {
                while ((slot = tryTake()) == -1) {
                    freed.await();
                }
                return slot;
            } finally {
                waiting.decrementAndGet();
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #take} without interruption. */
    public int takeUninterruptibly() {
        int slot = tryTake();
        if (slot != -1) {
            return slot;
        }
        lock.lock();
        try {
            waiting.incrementAndGet();
            try {
                while ((slot = tryTake()) == -1) {
                    freed.awaitUninterruptibly();
                }
                return slot;
            } finally {
                waiting.decrementAndGet();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code nanos} for a free slot: the slot, -1 on timeout, or {@link #CLOSED}. */
    public int take(long nanos) throws InterruptedException {
        int slot = tryTake();
        if (slot != -1 || nanos <= 0) {
            return slot;
        }
        lock.lockInterruptibly();
        try {
            waiting.incrementAndGet();
            try {
                long left = nanos;
                while ((slot = tryTake()) == -1 && left > 0) {
                    left = freed.awaitNanos(left);
                }
                return slot;
            } finally {
                waiting.decrementAndGet();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives a slot back, waking a waiter if there is one. */
    public void put(int slot) {
        free.push(slot);
        available.incrementAndGet();
        if (waiting.get() > 0) {
            signal(false);
        }
    }

    /** Free slots right now. */
    public int available() {
        return available.get();
    }

    /** From now on every take returns {@link #CLOSED}; wakes every waiter. */
    public void close() {
        closed = true;
        signal(true);
    }

    private void signal(boolean all) {
        lock.lock();
        try {
            if (all) {
                freed.signalAll();
            } else {
                freed.signal();
            }
        } finally {
            lock.unlock();
        }
    }
}
