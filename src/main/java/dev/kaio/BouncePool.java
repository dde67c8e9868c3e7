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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Aligned native buffers for copying heap {@code ByteBuffer}s through: one free list per power-of-two
 * size from 4 KiB to 1 MiB, filled on demand and kept until {@link #close()}. Larger transfers get a
 * buffer of their own, freed when returned.
 */
final class BouncePool implements AutoCloseable {

    private static final int MIN_SHIFT = 12;   // 4 KiB
    private static final int MAX_SHIFT = 20;   // 1 MiB
    private static final int MAX_PER_CLASS = 64;

    private final Arena arena = dev.kaio.internal.sys.NativeResources.sharedArena();
    private final int alignment;
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedDeque<MemorySegment>[] free = new ConcurrentLinkedDeque[MAX_SHIFT - MIN_SHIFT + 1];
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicInteger leased = new java.util.concurrent.atomic.AtomicInteger();
    private boolean freed;

    BouncePool(int alignment) {
        this.alignment = Math.max(alignment, 4096);
        for (int i = 0; i < free.length; i++) {
            free[i] = new ConcurrentLinkedDeque<>();
        }
    }

    /** A buffer of at least {@code size} bytes (the returned segment is exactly {@code size} long). */
    Lease take(long size) {
        leased.incrementAndGet();
        int shift = Math.max(MIN_SHIFT, 64 - Long.numberOfLeadingZeros(Math.max(1, size) - 1));
        if (shift > MAX_SHIFT) {
            Arena own = dev.kaio.internal.sys.NativeResources.sharedArena();
            MemorySegment seg = own.allocate(size, alignment);
            return new Lease(this, seg, seg, -1, own);
        }
        int cls = shift - MIN_SHIFT;
        MemorySegment s = free[cls].pollFirst();
        if (s == null) {
            synchronized (this) {
                if (freed) {
                    leased.decrementAndGet();
                    throw new IllegalStateException("channel closed");
                }
                s = arena.allocate(1L << shift, alignment);
            }
        }
        return new Lease(this, s, s.asSlice(0, size), cls, null);
    }

    private void give(Lease lease) {
        if (lease.own != null) {
            lease.own.close();
        } else if (!closed && free[lease.cls].size() < MAX_PER_CLASS) {
            free[lease.cls].addFirst(lease.full);
        }
        if (leased.decrementAndGet() == 0 && closed) {
            free();
        }
    }

    /** Frees every pooled buffer, now or when the last buffer in use is given back. */
    @Override
    public void close() {
        closed = true;
        if (leased.get() == 0) {
            free();
        }
    }

    private synchronized void free() {
        if (!freed) {
            freed = true;
            arena.close();
        }
    }

    /** A buffer taken from the pool; {@link #close()} gives it back. */
    static final class Lease implements AutoCloseable {
        private final BouncePool pool;
        private final MemorySegment full;
        final MemorySegment segment;
        private final int cls;
        private final Arena own;

        Lease(BouncePool pool, MemorySegment full, MemorySegment segment, int cls, Arena own) {
            this.pool = pool;
            this.full = full;
            this.segment = segment;
            this.cls = cls;
            this.own = own;
        }

        @Override
        public void close() {
            pool.give(this);
        }
    }
}
