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

import java.lang.foreign.MemorySegment;

/**
 * One buffer of a {@link BufferPool}, leased until {@link #close()}. Pass {@link #segment()} (or a
 * slice of it) to reads and writes; kaio counts the requests that use it, so the buffer goes back to
 * the pool only when the lease is closed <em>and</em> the kernel has finished every such request.
 *
 * {@snippet :
 * try (BufferLease lease = pool.acquire()) {
 *     file.write(lease.segment(), position);     // need not be joined before close:
 * }                                              // the buffer returns when the write has completed
 * }
 *
 * <p>After {@code close()}, the segment must not be used. A request given it is refused with
 * {@link IllegalStateException} while the buffer is free; once the buffer is leased again, a segment
 * kept from the old lease aliases the new one, which kaio cannot tell from a legitimate use (a program
 * bug, but never a use-after-free: the memory stays the pool's, and is not freed while leased or in
 * use by the kernel).
 */
public final class BufferLease implements AutoCloseable {

    private final BufferPool pool;
    private final int index;
    private final long generation;
    private final MemorySegment segment;

    BufferLease(BufferPool pool, int index, long generation, MemorySegment segment) {
        this.pool = pool;
        this.index = index;
        this.generation = generation;
        this.segment = segment;
    }

    /**
     * The leased buffer: native, aligned to {@link BufferPool#alignment()}, {@link BufferPool#bufferSize()}
     * bytes long.
     *
     * @return the buffer
     * @throws IllegalStateException once the lease is closed
     */
    public MemorySegment segment() {
        if (!pool.isLeased(index, generation)) {
            throw new IllegalStateException("the lease is closed");
        }
        return segment;
    }

    /**
     * The pool it came from.
     *
     * @return the pool
     */
    public BufferPool pool() {
        return pool;
    }

    /**
     * Gives the buffer back: at once if no request uses it, otherwise when the last one completes.
     * Idempotent.
     */
    @Override
    public void close() {
        pool.giveBack(index, generation);
    }

    @Override
    public String toString() {
        return "BufferLease[" + index + " of " + pool + "]";
    }
}
