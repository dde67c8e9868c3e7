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
package dev.kaio.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts completions made on other threads and lets the benchmark thread wait for the next N without
 * a wake-up per completion: the completing thread unparks the waiter only when the target is reached.
 */
final class Completions {

    private final AtomicLong done = new AtomicLong();
    private volatile long target = Long.MAX_VALUE;
    private volatile Thread waiter;
    private volatile Throwable failure;

    void complete() {
        if (done.incrementAndGet() >= target) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    void fail(Throwable t) {
        failure = t;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Waits until {@code n} more completions have happened; returns the total so far. */
    long await(int n) {
        long goal = done.get() + n;
        waiter = Thread.currentThread();
        target = goal;
        long d;
        long last = -1;
        long lastProgress = System.nanoTime();
        while ((d = done.get()) < goal) {
            if (failure != null) {
                throw new IllegalStateException("I/O failed", failure);
            }
            if (d != last) {
                last = d;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > 30_000_000_000L) {
                throw new IllegalStateException("no completion for 30 s: the implementation is stuck");
            }
            LockSupport.parkNanos(this, 10_000_000L);
        }
        target = Long.MAX_VALUE;
        return d;
    }

    long count() {
        return done.get();
    }
}
