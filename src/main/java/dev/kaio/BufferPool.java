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

import dev.kaio.internal.core.SlotPool;
import dev.kaio.internal.sys.NativeResources;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Native buffers owned by kaio, sized and aligned for O_DIRECT, handed out as {@link BufferLease}s
 * that kaio tracks while the kernel uses them: the safe way to own I/O memory.
 *
 * {@snippet :
 * try (AioContext ctx = AioContext.open(64);
 *      AioFile file = AioFile.open(ctx, path, READ, AioOpenOption.DIRECT);
 *      BufferPool pool = BufferPool.forFile(file, 8192, 32)) {   // 32 buffers of 8 KiB, aligned for the file
 *     try (BufferLease page = pool.acquire()) {
 *         int n = file.read(page.segment(), 8192L * pageNo).join();
 *         parse(page.segment(), n);
 *     }                                                            // back to the pool
 * }
 * }
 *
 * <h2>What kaio guarantees</h2>
 * A leased buffer that a request uses is not handed to anyone else, nor freed, until the kernel has
 * finished that request, whatever the program does:
 * <ul>
 *   <li>kaio counts, per buffer, the requests in flight that use it (a request's buffers are looked up
 *       when it is submitted, whether it was given {@code lease.segment()} or a slice of it);</li>
 *   <li>{@link BufferLease#close()} while requests still use the buffer returns it to the pool only
 *       when the last of them has completed;</li>
 *   <li>a request given a buffer whose lease was closed (and not leased again) is refused with
 *       {@link IllegalStateException} before anything is submitted;</li>
 *   <li>{@link #close()} waits for the requests in flight that use its buffers; its memory is freed
 *       then, or, if leases are still open, when the last one is closed. It is never freed while the
 *       kernel may write into it.</li>
 * </ul>
 * (Buffers from a caller-owned {@link Arena} get none of this: the caller must keep the arena open
 * until the requests that use it have completed, and kaio cannot stop it from being closed earlier.)
 *
 * <p>Thread-safe: leases may be acquired and closed by any thread. {@link #acquire()} waits for a free
 * buffer (a virtual thread unmounts).
 */
public final class BufferPool implements AutoCloseable {

    // per buffer, one word: the requests in flight that use it, whether it is leased, and a generation
    private static final long LEASED = 1L << 31;
    private static final long IN_FLIGHT = (1L << 31) - 1;
    private static final long GENERATION = 1L << 32;

    /** Open pools, looked through at each submission (a copy-on-write array: empty costs nothing). */
    private static volatile BufferPool[] pools = new BufferPool[0];

    private final Arena arena;
    private final MemorySegment memory;
    private final MemorySegment.Scope scope;
    private final long bufferSize;
    private final int count;
    private final int alignment;
    private final MemorySegment[] buffers;
    private final AtomicLongArray state;
    private final SlotPool free;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition settled = lock.newCondition();
    private volatile boolean closed;
    private boolean freed;               // under lock

    private BufferPool(int count, long bufferSize, int alignment) {
        if (count < 1) {
            throw new IllegalArgumentException("a pool needs at least one buffer: " + count);
        }
        if (alignment < 1 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        if (bufferSize < 1 || bufferSize % alignment != 0) {
            throw new IllegalArgumentException("the buffer size must be a positive multiple of the alignment "
                    + alignment + ": " + bufferSize);
        }
        this.count = count;
        this.bufferSize = bufferSize;
        this.alignment = alignment;
        this.arena = NativeResources.sharedArena();
        this.memory = arena.allocate(Math.multiplyExact(bufferSize, (long) count), Math.max(alignment, 64));
        this.scope = memory.scope();
        this.buffers = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            buffers[i] = memory.asSlice(bufferSize * i, bufferSize);
        }
        this.state = new AtomicLongArray(count);
        this.free = new SlotPool(count);
        register(this);
    }

    /**
     * A pool of {@code count} buffers of {@code bufferSize} bytes, each aligned to {@code alignment}.
     *
     * @param count      how many buffers
     * @param bufferSize bytes per buffer, a multiple of {@code alignment}
     * @param alignment  a power of two (an O_DIRECT file's {@link AioFile#alignment()})
     * @return the pool
     */
    public static BufferPool of(int count, long bufferSize, int alignment) {
        return new BufferPool(count, bufferSize, alignment);
    }

    /**
     * A pool of {@code count} buffers of {@code bufferSize} bytes aligned for {@code file}'s O_DIRECT
     * requirements (at least 4096, so that it also suits the page cache and most devices).
     *
     * @param file       the file the buffers are for
     * @param bufferSize bytes per buffer, a multiple of the alignment
     * @param count      how many buffers
     * @return the pool
     */
    public static BufferPool forFile(AioFile file, long bufferSize, int count) {
        Objects.requireNonNull(file, "file");
        return new BufferPool(count, bufferSize, Math.max(4096, file.alignment()));
    }

    /**
     * The size of each buffer.
     *
     * @return bytes
     */
    public long bufferSize() {
        return bufferSize;
    }

    /**
     * The alignment of each buffer's address.
     *
     * @return bytes, a power of two
     */
    public int alignment() {
        return alignment;
    }

    /**
     * How many buffers the pool has.
     *
     * @return the count
     */
    public int capacity() {
        return count;
    }

    /**
     * Buffers free right now.
     *
     * @return the count
     */
    public int available() {
        return Math.max(0, free.available());
    }

    /**
     * Leases a buffer, waiting for one if none is free.
     *
     * @return the lease; close it to give the buffer back
     * @throws IllegalStateException if the pool is closed
     * @throws InterruptedException  if interrupted while waiting
     */
    public BufferLease acquire() throws InterruptedException {
        return leased(free.take());
    }

    /**
     * Leases a buffer if one is free.
     *
     * @return the lease, or null if none is free
     * @throws IllegalStateException if the pool is closed
     */
    public BufferLease tryAcquire() {
        int i = free.tryTake();
        return i == -1 ? null : leased(i);
    }

    private BufferLease leased(int i) {
        if (i == SlotPool.CLOSED || closed) {
            if (i >= 0) {
                free.put(i);
            }
            throw new IllegalStateException("the buffer pool is closed");
        }
        long w;
        long nw;
        do {
            w = state.get(i);
            nw = (w & ~IN_FLIGHT) + GENERATION | LEASED;
        } while (!state.compareAndSet(i, w, nw));
        return new BufferLease(this, i, nw >>> 32, buffers[i]);
    }

    /** Lease {@code generation} of buffer {@code i} ends: the buffer goes back when no request uses it. */
    void giveBack(int i, long generation) {
        long w;
        long nw;
        do {
            w = state.get(i);
            if ((w & LEASED) == 0 || (w >>> 32) != generation) {
                return; // closed twice (the buffer may be another lease's by now)
            }
            nw = w & ~LEASED;
        } while (!state.compareAndSet(i, w, nw));
        if ((nw & IN_FLIGHT) == 0) {
            returnBuffer(i);
        }
    }

    boolean isLeased(int i, long generation) {
        long w = state.get(i);
        return (w & LEASED) != 0 && (w >>> 32) == generation;
    }

    private void returnBuffer(int i) {
        if (closed) {
            free.put(i);
            settle();
        } else {
            free.put(i);
        }
    }

    // ------------------------------------------------------------------ tracking requests

    /**
     * At submission: counts a request in on every pool buffer among {@code buffers} (a segment or a list
     * of segments). Throws, having counted nothing, if one of them belongs to a lease that was closed.
     */
    static void enterRequest(Object buffers) {
        if (pools.length == 0 || buffers == null) {
            return;
        }
        if (buffers instanceof MemorySegment s) {
            enter(s);
        } else if (buffers instanceof List<?> list) {
            for (int k = 0; k < list.size(); k++) {
                try {
                    enter((MemorySegment) list.get(k));
                } catch (RuntimeException e) {
                    for (int j = 0; j < k; j++) {
                        exit((MemorySegment) list.get(j));
                    }
                    throw e;
                }
            }
        }
    }

    /** When the request has ended (the kernel is done with its buffers): counts it out. */
    static void exitRequest(Object buffers) {
        if (pools.length == 0 || buffers == null) {
            return;
        }
        if (buffers instanceof MemorySegment s) {
            exit(s);
        } else if (buffers instanceof List<?> list) {
            for (int k = 0; k < list.size(); k++) {
                exit((MemorySegment) list.get(k));
            }
        }
    }

    private static void enter(MemorySegment s) {
        BufferPool p = poolOf(s);
        if (p == null) {
            return;
        }
        int i = p.indexOf(s);
        long w;
        do {
            w = p.state.get(i);
            if ((w & LEASED) == 0) {
                throw new IllegalStateException("the buffer's lease was closed: it may already be another "
                        + "lease's (" + s + ")");
            }
        } while (!p.state.compareAndSet(i, w, w + 1));
    }

    private static void exit(MemorySegment s) {
        BufferPool p = poolOf(s);
        if (p == null) {
            return;
        }
        int i = p.indexOf(s);
        long w = p.state.getAndDecrement(i);
        if ((w & IN_FLIGHT) == 1 && (w & LEASED) == 0) {
            p.returnBuffer(i); // the lease was closed while this request used the buffer
        } else if ((w & IN_FLIGHT) == 1 && p.closed) {
            p.settle();
        }
    }

    private static BufferPool poolOf(MemorySegment s) {
        MemorySegment.Scope sc = s.scope();
        for (BufferPool p : pools) {
            if (p.scope == sc) {
                return p;
            }
        }
        return null;
    }

    private int indexOf(MemorySegment s) {
        long offset = s.address() - memory.address();
        int i = (int) (offset / bufferSize);
        if (offset < 0 || i >= count || offset + s.byteSize() > bufferSize * (i + 1L)) {
            throw new IllegalArgumentException("a request's segment spans more than one pool buffer: " + s);
        }
        return i;
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the pool: no more leases; waits until no request in flight uses its buffers; frees the
     * memory now, or when the last open lease is closed. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        free.close(); // threads waiting in acquire() give up
        boolean interrupted = false;
        lock.lock();
        try {
            while (anyInFlight()) {
                try {
                    settled.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            freeIfUnleased();
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean anyInFlight() {
        for (int i = 0; i < count; i++) {
            if ((state.get(i) & IN_FLIGHT) != 0) {
                return true;
            }
        }
        return false;
    }

    private void settle() {
        lock.lock();
        try {
            settled.signalAll();
            freeIfUnleased();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: frees the memory once closed and nothing is leased or in flight. */
    private void freeIfUnleased() {
        if (freed || !closed) {
            return;
        }
        for (int i = 0; i < count; i++) {
            if (state.get(i) != (state.get(i) & ~(LEASED | IN_FLIGHT))) {
                return;
            }
        }
        freed = true;
        unregister(this);
        arena.close();
    }

    /**
     * True once the memory is freed (closed, and every lease closed and every request done).
     *
     * @return whether the memory is freed
     */
    public boolean isFreed() {
        lock.lock();
        try {
            return freed;
        } finally {
            lock.unlock();
        }
    }

    private static synchronized void register(BufferPool p) {
        BufferPool[] next = java.util.Arrays.copyOf(pools, pools.length + 1);
        next[pools.length] = p;
        pools = next;
    }

    private static synchronized void unregister(BufferPool p) {
        pools = java.util.Arrays.stream(pools).filter(q -> q != p).toArray(BufferPool[]::new);
    }

    @Override
    public String toString() {
        return "BufferPool[" + count + " x " + bufferSize + " B, aligned " + alignment + ", " + available() + " free"
                + (closed ? ", closed" : "") + "]";
    }
}
