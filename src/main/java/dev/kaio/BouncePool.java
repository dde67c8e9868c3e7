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

import dev.kaio.internal.sys.NativeResources;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Aligned native buffers for copying heap {@code ByteBuffer}s through: one free list per power-of-two
 * size from 4 KiB to 1 MiB, filled on demand and kept until {@link #close()}. Larger transfers get a
 * buffer of their own, freed when returned.
 *
 * <p>One counter holds the buffers handed out plus a CLOSED bit, so that {@link #take} either counts
 * itself in before close() (and the memory stays until it gives the buffer back) or fails with
 * {@link ClosedChannelException}: a buffer of a freed arena is never handed out.
 */
final class BouncePool implements AutoCloseable {

    private static final int MIN_SHIFT = 12;   // 4 KiB
    private static final int MAX_SHIFT = 20;   // 1 MiB
    private static final int MAX_PER_CLASS = 64;
    private static final int CLOSED = 1 << 30;

    private final Arena arena = NativeResources.sharedArena();
    private final int alignment;
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedDeque<MemorySegment>[] free = new ConcurrentLinkedDeque[MAX_SHIFT - MIN_SHIFT + 1];
    // buffers handed out and not yet given back, plus CLOSED once close() was called
    private final AtomicInteger leases = new AtomicInteger();

    BouncePool(int alignment) {
        this.alignment = Math.max(alignment, 4096);
        for (int i = 0; i < free.length; i++) {
            free[i] = new ConcurrentLinkedDeque<>();
        }
    }

    /**
     * A buffer of at least {@code size} bytes (the returned segment is exactly {@code size} long).
     *
     * @throws ClosedChannelException if the pool is closed
     */
    Lease take(long size) throws ClosedChannelException {
        int c;
        do {
            c = leases.get();
            if ((c & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
        } while (!leases.compareAndSet(c, c + 1));
        // counted in: the arena stays open until this lease is given back
        try {
            int shift = Math.max(MIN_SHIFT, 64 - Long.numberOfLeadingZeros(Math.max(1, size) - 1));
            if (shift > MAX_SHIFT) {
                Arena own = NativeResources.sharedArena();
                MemorySegment seg = own.allocate(size, alignment);
                return new Lease(this, seg, seg, -1, own);
            }
            int cls = shift - MIN_SHIFT;
            MemorySegment s = free[cls].pollFirst();
            if (s == null) {
                s = arena.allocate(1L << shift, alignment);
            }
            return new Lease(this, s, s.asSlice(0, size), cls, null);
        } catch (RuntimeException | Error e) {
            countOut();
            throw e;
        }
    }

    private void give(Lease lease) {
        if (lease.own != null) {
            lease.own.close();
        } else if ((leases.get() & CLOSED) == 0 && free[lease.cls].size() < MAX_PER_CLASS) {
            free[lease.cls].addFirst(lease.full);
        }
        countOut();
    }

    private void countOut() {
        if (leases.decrementAndGet() == CLOSED) {
            arena.close(); // the last buffer came back after close()
        }
    }

    /** Frees every pooled buffer, now or when the last buffer in use is given back. Idempotent. */
    @Override
    public void close() {
        int c;
        do {
            c = leases.get();
            if ((c & CLOSED) != 0) {
                return;
            }
        } while (!leases.compareAndSet(c, c | CLOSED));
        if (c == 0) {
            arena.close();
        }
    }

    /** A buffer taken from the pool; {@link #close()} gives it back (once). */
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
