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

/**
 * When a thread about to sleep until its request completes should first watch the completion ring.
 *
 * <p>Why: on a fast device a 4 KiB read completes ~10 µs after io_submit, and putting a thread to
 * sleep and waking it (read(2) on an eventfd, io_getevents) costs about twice that again; pread pays
 * it too. Watching the ring in user space for a few microseconds turns that into a memory read. The
 * price is CPU while watching, and it only pays when the completion is produced on another CPU: where
 * the kernel finishes the I/O in a worker that runs on the waiter's own CPU (a loop device in a VM,
 * measured by {@code bench/compare.sh}), the watch holds that worker off until the budget is spent,
 * and latency gets worse (p50 20 µs with a 20 µs budget against 6 µs sleeping at once). So it is off
 * by default and opt-in, and bounded three ways:
 * <ul>
 *   <li>at most {@code budgetNanos} per wait (system property {@code kaio.spinMicros}, default
 *       {@value #DEFAULT_MICROS}: off);</li>
 *   <li>at most one watcher fewer than the machine has processors, over the whole JVM, so that the
 *       threads that complete the I/O (a loop device's worker, an interrupt handler) keep a CPU; on one
 *       processor nobody watches;</li>
 *   <li>it adapts: every watch that ends without a completion adds a penalty, and while the penalty is
 *       high only one wait in a few watches, so a device slower than the budget (a disk, a network
 *       filesystem) costs about one budget in every few requests, and a fast one always watches.</li>
 * </ul>
 * The penalty is a plain int: racing updates only make the heuristic a little less exact.
 */
public final class CompletionSpin {

    /** The default budget, in microseconds: 0, no watching (see the class comment for why). */
    public static final int DEFAULT_MICROS = 0;

    private static final int MAX_WATCHERS = Runtime.getRuntime().availableProcessors() - 1;
    private static final AtomicInteger WATCHERS = new AtomicInteger();

    private static final int MISS_PENALTY = 4;
    private static final int SKIP_ABOVE = 12;   // after 4 misses in a row, one wait in five watches
    private static final int MAX_PENALTY = 24;

    private final long budgetNanos;
    private int penalty;

    private CompletionSpin(long budgetNanos) {
        this.budgetNanos = budgetNanos;
    }

    /** A policy with {@code budgetNanos} per wait (0: never watch). */
    public static CompletionSpin of(long budgetNanos) {
        if (budgetNanos < 0) {
            throw new IllegalArgumentException("a negative spin budget: " + budgetNanos + " ns");
        }
        return new CompletionSpin(budgetNanos);
    }

    /** The budget from system property {@code kaio.spinMicros}, or the default. */
    public static long defaultBudgetNanos() {
        return budgetNanos(System.getProperty("kaio.spinMicros"));
    }

    /** The budget that property value {@code v} (microseconds; null: the default) stands for. */
    static long budgetNanos(String v) {
        long micros = DEFAULT_MICROS;
        if (v != null) {
            try {
                micros = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("kaio.spinMicros is not a number of microseconds: " + v, e);
            }
            if (micros < 0) {
                throw new IllegalArgumentException("kaio.spinMicros is negative: " + v);
            }
        }
        return micros * 1000;
    }

    /** The longest watch for a wait of at most {@code timeoutNanos} (negative: no limit). */
    public long budgetFor(long timeoutNanos) {
        return timeoutNanos < 0 ? budgetNanos : Math.min(timeoutNanos, budgetNanos);
    }

    /**
     * {@code budget} in nanoseconds, as the options' {@code spinWait} take it.
     *
     * @throws IllegalArgumentException if {@code budget} is negative
     */
    public static long nanosOf(java.time.Duration budget) {
        if (budget.isNegative()) {
            throw new IllegalArgumentException("a negative spin budget: " + budget);
        }
        return budget.toNanos();
    }

    /**
     * True if the caller should watch now (then it must call {@link #end} once); false to sleep at once.
     */
    public boolean begin() {
        if (budgetNanos == 0 || MAX_WATCHERS < 1) {
            return false;
        }
        int p = penalty;
        if (p > SKIP_ABOVE) {
            penalty = p - 1;
            return false;
        }
        int w;
        do {
            w = WATCHERS.get();
            if (w >= MAX_WATCHERS) {
                return false;
            }
        } while (!WATCHERS.compareAndSet(w, w + 1));
        return true;
    }

    /** Ends a watch that {@link #begin} allowed; {@code hit}: something completed while watching. */
    public void end(boolean hit) {
        WATCHERS.decrementAndGet();
        penalty = hit ? 0 : Math.min(MAX_PENALTY, penalty + MISS_PENALTY);
    }

    /** How many may watch at once in this JVM: one fewer than the processors. */
    static int maxWatchers() {
        return MAX_WATCHERS;
    }
}
