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
package dev.kaio.engine;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.AioException;
import dev.kaio.Errno;
import dev.kaio.internal.core.CompletionSpin;
import dev.kaio.internal.linux.timespec;
import dev.kaio.internal.sys.CompletionRing;
import dev.kaio.internal.sys.EventFd;
import dev.kaio.internal.sys.Iocbs;
import dev.kaio.internal.sys.KernelContexts;
import dev.kaio.internal.sys.Libc;
import dev.kaio.internal.sys.NativeAccess;
import dev.kaio.internal.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;

/**
 * The low-level engine: one kernel AIO context with preallocated, reusable native state, driven by
 * its owner thread. Requests are <em>prepared</em> into a staging array of iocbs, <em>submitted</em>
 * together with one {@code io_submit}, and <em>reaped</em> with {@code io_getevents} into a reusable
 * event array. Every request carries a caller-chosen {@code long} tag, returned with its completion.
 * In steady state nothing is allocated on the Java heap.
 *
 * {@snippet :
 * try (AioQueue queue = AioQueue.open(32);
 *      RawFile file = RawFile.open(path, StandardOpenOption.READ, AioOpenOption.DIRECT);
 *      Arena arena = Arena.ofConfined()) {
 *     MemorySegment buffers = DirectBuffers.allocate(arena, 32 * 4096, file.alignment());
 *     for (int i = 0; i < 32; i++) {
 *         queue.prepareRead(file.fd(), buffers.asSlice(i * 4096L, 4096), i * 4096L, i); // tag = i
 *     }
 *     queue.submit();                                      // one io_submit for all 32
 *     int reaped = 0;
 *     while (reaped < 32) {
 *         int n = queue.reap(1, 32, -1);                   // wait for at least one
 *         for (int k = 0; k < n; k++) {
 *             long tag = queue.tag(k);
 *             long res = queue.result(k);                  // bytes, or -errno (e.g. -Errno.EINVAL)
 *         }
 *         reaped += n;
 *     }
 * }
 * }
 *
 * <h2>Completions</h2>
 * {@link #reap} reads completions from the kernel's ring in user space when its header is one kaio
 * knows (counted by {@link #ringCompletions()}), and calls io_getevents only to wait. The queue can
 * also be bound to an eventfd ({@link Options#eventFd(boolean)}) for an external event loop.
 *
 * <h2>Capacity</h2>
 * At most {@link #depth()} requests are prepared, in flight, or failed-but-not-yet-reaped at any
 * time ({@link #remaining()} tells how many more may be prepared); the prepare methods throw
 * {@link IllegalStateException} when the queue is full, so a request is never silently dropped.
 * Because the engine never puts more requests in flight than the context was created for, io_submit
 * does not run out of kernel slots in practice; if it does (EAGAIN), {@link #submit()} leaves the
 * rest staged and returns what it submitted, to be resubmitted after a {@link #reap}.
 *
 * <h2>Errors</h2>
 * A request the kernel refuses at io_submit (EBADF, EINVAL for a bad opcode or offset, ...) is
 * not lost and does not stop the batch: it is reported by the next {@link #reap} as a completion
 * with result {@code -errno}, exactly like a request that failed in flight. So every prepared
 * request completes exactly once.
 *
 * <h2>Buffers</h2>
 * The kernel copies the iocb and the iovec array while io_submit runs; the data buffers must stay
 * allocated until their completion is reaped. {@link #close()} waits for every in-flight request
 * (io_destroy does) before it frees the engine's memory.
 *
 * <p>Not thread-safe: one thread at a time (typically one owner thread, as in a storage engine's
 * I/O loop). For a thread-safe, future-based API use {@link dev.kaio.AioContext}.
 */
public final class AioQueue implements AutoCloseable {

    static {
        NativeAccess.init(); // before any use of the generated bindings: see NativeAccess
    }

    // Struct sizes are read from Iocbs in the methods, not copied into static fields here, so that
    // initialising this public class does not initialise the generated bindings (see NativeAccess).
    private static final long PTR = ADDRESS.byteSize();

    private final Arena arena;
    private final long ctx;
    private final int depth;
    private final int iovecCapacity;
    private final MemorySegment iocbs;
    private final MemorySegment events;
    private final MemorySegment iovecs;
    private final MemorySegment timeout;
    private final MemorySegment errno;
    private final long iocbPtrsAddress;
    private final long eventsAddress;
    private final long iovecsAddress;
    private final long[] refusedTags;
    private final long[] refusedResults;
    private final CompletionRing ring;          // null: reap with io_getevents only
    private final EventFd eventFd;              // null unless Options.eventFd()
    private final int iocbFlags;                // IOCB_FLAG_RESFD when bound to the eventfd
    private final int resfd;

    private int head;           // staged iocbs are [head, tail)
    private int tail;
    private int iovecsUsed;     // iovec entries used by staged vectored requests
    private int inFlight;       // submitted, not yet reaped
    private int refused;        // refused by io_submit, not yet reported by reap
    private int ready;          // events readable with tag(i)/result(i)
    private boolean closed;
    private long ringCompletions;
    private long syscallCompletions;
    private final CompletionSpin spin; // reap watches the ring before io_getevents, within bounds

    private AioQueue(int depth, Options options) throws AioException {
        this.depth = depth;
        this.iovecCapacity = options.iovecCapacity > 0 ? options.iovecCapacity : Math.max(Iocbs.IOV_MAX, 16 * depth);
        this.arena = dev.kaio.internal.sys.NativeResources.sharedArena();
        EventFd efd = null;
        long kernelCtx = 0;
        try {
            this.iocbs = arena.allocate(Iocbs.IOCB_SIZE * depth, 64);
            MemorySegment ptrs = arena.allocate(PTR * depth, 64);
            for (int i = 0; i < depth; i++) {
                ptrs.setAtIndex(JAVA_LONG, i, iocbs.address() + Iocbs.IOCB_SIZE * i);
            }
            this.iocbPtrsAddress = ptrs.address();
            this.events = arena.allocate(Iocbs.IO_EVENT_SIZE * depth, 64);
            this.eventsAddress = events.address();
            this.iovecs = arena.allocate(Iocbs.IOVEC_SIZE * iovecCapacity, 64);
            this.iovecsAddress = iovecs.address();
            this.timeout = timespec.allocate(arena);
            this.errno = Libc.errnoState(arena);
            this.refusedTags = new long[depth];
            this.refusedResults = new long[depth];
            if (options.eventFd) {
                efd = new EventFd(true);
            }
            this.eventFd = efd;
            this.iocbFlags = efd != null ? Iocbs.FLAG_RESFD : 0;
            this.resfd = efd != null ? efd.fd() : 0;
            kernelCtx = KernelContexts.setup(depth);
            this.ctx = kernelCtx;
            this.ring = options.forceSyscalls ? null : CompletionRing.attach(kernelCtx);
            this.spin = CompletionSpin.of(options.spinNanos);
        } catch (AioException | RuntimeException e) {
            if (kernelCtx != 0) {
                try {
                    KernelContexts.destroy(kernelCtx);
                } catch (AioException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (efd != null) {
                efd.close();
            }
            arena.close();
            throw e;
        }
    }

    /**
     * How an {@link AioQueue} is set up. Defaults: completions are reaped from the kernel's ring in
     * user space when its header is valid (set the system property {@code kaio.forceSyscalls=true} or
     * {@link #forceSyscalls(boolean)} to always use io_getevents), no eventfd, and room for
     * {@code max(IOV_MAX, 16 * depth)} iovecs per staged batch.
     */
    public static final class Options {
        private boolean forceSyscalls = Boolean.getBoolean("kaio.forceSyscalls");
        private boolean eventFd;
        private int iovecCapacity;
        private long spinNanos = CompletionSpin.defaultBudgetNanos();

        /** Options with the defaults described above (the same as {@link #defaults()}). */
        public Options() {}

        /**
         * The defaults described above; change them with the methods below.
         *
         * @return new options with the defaults
         */
        public static Options defaults() {
            return new Options();
        }

        /**
         * Reap only with io_getevents, never from the ring in user space.
         *
         * @param force true to always call io_getevents
         * @return these options
         */
        public Options forceSyscalls(boolean force) {
            this.forceSyscalls = force;
            return this;
        }

        /**
         * Create an eventfd and submit every request with IOCB_FLAG_RESFD, so that the kernel adds 1 to
         * it per completion: an event loop can watch {@link AioQueue#eventFd()} and then
         * {@code reap(0, max, 0)}.
         *
         * @param eventFd true to create and use the eventfd
         * @return these options
         */
        public Options eventFd(boolean eventFd) {
            this.eventFd = eventFd;
            return this;
        }

        /**
         * Room for this many iovec entries across the vectored requests of one staged batch.
         *
         * @param capacity the number of iovec entries, at least 1
         * @return these options
         * @throws IllegalArgumentException if {@code capacity} is less than 1
         */
        public Options iovecCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("iovecCapacity must be positive: " + capacity);
            }
            this.iovecCapacity = capacity;
            return this;
        }

        /**
         * How long {@link AioQueue#reap} watches the completion ring before it sleeps in io_getevents,
         * when it has to wait. Watching costs CPU and saves the sleep and wake-up, which on a fast device
         * take as long as the I/O. Bounded as for {@link dev.kaio.AioContext.Options#spinWait}: at most
         * one thread fewer than there are processors watches at a time in the JVM, and a queue whose
         * watches keep finding nothing mostly stops watching. Off by default ({@code Duration.ZERO}),
         * or system property {@code kaio.spinMicros}: it helps only when completions are produced on
         * another CPU (an interrupt); when the kernel finishes the I/O in a worker on the waiter's own CPU
         * (a loop device), watching delays it until the budget is spent. Measure before turning it on;
         * 20 µs is a starting point.
         *
         * @param budget the longest watch per wait
         * @return these options
         * @throws IllegalArgumentException if {@code budget} is negative
         */
        public Options spinWait(java.time.Duration budget) {
            this.spinNanos = CompletionSpin.nanosOf(budget);
            return this;
        }
    }

    /**
     * Creates a kernel AIO context for {@code depth} requests in flight ({@code io_setup(depth)}) with
     * the default {@link Options}.
     *
     * @param depth the number of requests the queue holds, 1 to 65536
     * @return the open queue; close it to release the kernel context
     * @throws AioException EAGAIN when {@code /proc/sys/fs/aio-max-nr} is exhausted (the message shows
     *                      the numbers), EINVAL for a depth the kernel refuses
     * @throws IOException  if the context cannot be set up for another reason
     * @throws UnsupportedOperationException if native access is not enabled for kaio, or the platform
     *                      is not Linux x86_64
     */
    public static AioQueue open(int depth) throws IOException {
        return open(depth, Options.defaults());
    }

    /**
     * Like {@link #open(int)}, with room for {@code iovecCapacity} iovec entries per staged batch.
     *
     * @param depth         the number of requests the queue holds, 1 to 65536
     * @param iovecCapacity iovec entries for the vectored requests of one staged batch
     * @return the open queue
     * @throws IOException as {@link #open(int)}
     */
    public static AioQueue open(int depth, int iovecCapacity) throws IOException {
        return open(depth, Options.defaults().iovecCapacity(iovecCapacity));
    }

    /**
     * Creates a kernel AIO context for {@code depth} requests in flight, set up as {@code options} say.
     *
     * @param depth   the number of requests the queue holds, 1 to 65536
     * @param options how to reap completions, eventfd, iovec room
     * @return the open queue
     * @throws IOException as {@link #open(int)}
     */
    public static AioQueue open(int depth, Options options) throws IOException {
        if (depth < 1 || depth > KernelContexts.MAX_EVENTS) {
            throw new IllegalArgumentException("depth must be in [1, " + KernelContexts.MAX_EVENTS + "]: " + depth);
        }
        java.util.Objects.requireNonNull(options, "options");
        NativeAccess.ensureEnabled(); // before Iocbs, which initialises the bindings
        return new AioQueue(depth, options);
    }

    /**
     * The number of requests this queue can hold: prepared, in flight and unreported together.
     *
     * @return the depth given to {@code open}
     */
    public int depth() {
        return depth;
    }

    /**
     * How many more requests can be prepared now.
     *
     * @return {@link #depth()} minus the requests staged, in flight or not yet reported
     */
    public int remaining() {
        return depth - (tail - head) - inFlight - refused;
    }

    /**
     * Requests prepared and not yet submitted.
     *
     * @return the number of staged requests
     */
    public int staged() {
        return tail - head;
    }

    /**
     * Requests submitted and not yet reaped.
     *
     * @return the number of requests in the kernel
     */
    public int inFlight() {
        return inFlight;
    }

    /**
     * The kernel's {@code aio_context_t}: the address at which the kernel mapped this context's
     * completion ring.
     *
     * @return the context id io_setup returned
     */
    public long contextId() {
        return ctx;
    }

    /**
     * The eventfd the kernel signals once per completion (IOCB_FLAG_RESFD), for an external event
     * loop; -1 unless opened with {@link Options#eventFd(boolean)}. Reading it (8 bytes) resets it;
     * {@link #reap} does not read it.
     *
     * @return the eventfd's file descriptor, or -1
     */
    public int eventFd() {
        return eventFd != null ? eventFd.fd() : -1;
    }

    /**
     * Whether completions are reaped from the kernel's ring in user space (else only with io_getevents).
     *
     * @return true if {@link #reap} reads the ring
     */
    public boolean reapsFromRing() {
        return ring != null;
    }

    /**
     * Completions collected from the ring in user space so far.
     *
     * @return the count since {@code open}
     */
    public long ringCompletions() {
        return ringCompletions;
    }

    /**
     * Completions collected with io_getevents so far.
     *
     * @return the count since {@code open}
     */
    public long syscallCompletions() {
        return syscallCompletions;
    }

    // ---------------------------------------------------------------- prepare

    /**
     * Prepares {@code IOCB_CMD_PREAD}: read {@code buffer.byteSize()} bytes at {@code position} into {@code buffer}.
     *
     * @param fd       the file descriptor ({@link RawFile#fd()})
     * @param buffer   native memory to read into; it must stay allocated until the completion is reaped
     * @param position the file position
     * @param tag      returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException    if the queue is full ({@link #remaining()} is 0) or closed
     * @throws IllegalArgumentException if {@code buffer} is not native or is read-only, or {@code position} is negative
     */
    public void prepareRead(int fd, MemorySegment buffer, long position, long tag) {
        checkWritableNative(buffer);
        stage(Iocbs.CMD_PREAD, fd, buffer.address(), buffer.byteSize(), position, tag, 0);
    }

    /**
     * Prepares {@code IOCB_CMD_PWRITE}: write all of {@code buffer} at {@code position}.
     *
     * @param fd       the file descriptor ({@link RawFile#fd()})
     * @param buffer   native memory to write; it must stay allocated until the completion is reaped
     * @param position the file position
     * @param tag      returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException    if the queue is full or closed
     * @throws IllegalArgumentException if {@code buffer} is not native, or {@code position} is negative
     */
    public void prepareWrite(int fd, MemorySegment buffer, long position, long tag) {
        checkNative(buffer);
        stage(Iocbs.CMD_PWRITE, fd, buffer.address(), buffer.byteSize(), position, tag, 0);
    }

    /**
     * Prepares a read into raw native memory. The caller guarantees that {@code [address, address +
     * length)} is writable native memory that stays allocated until the completion is reaped.
     *
     * @param fd       the file descriptor
     * @param address  the address of the native memory to read into
     * @param length   the number of bytes to read
     * @param position the file position
     * @param tag      returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException    if the queue is full or closed
     * @throws IllegalArgumentException if the address is 0 or a length or position is negative
     */
    public void prepareRead(int fd, long address, long length, long position, long tag) {
        checkRaw(address, length);
        stage(Iocbs.CMD_PREAD, fd, address, length, position, tag, 0);
    }

    /**
     * Prepares a write from raw native memory (see {@link #prepareRead(int, long, long, long, long)}).
     *
     * @param fd       the file descriptor
     * @param address  the address of the native memory to write
     * @param length   the number of bytes to write
     * @param position the file position
     * @param tag      returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException    if the queue is full or closed
     * @throws IllegalArgumentException if the address is 0 or a length or position is negative
     */
    public void prepareWrite(int fd, long address, long length, long position, long tag) {
        checkRaw(address, length);
        stage(Iocbs.CMD_PWRITE, fd, address, length, position, tag, 0);
    }

    /**
     * Prepares {@code IOCB_CMD_PREADV}: one read at {@code position} scattered into
     * {@code buffers[0..count)} in order. The array is read now and may be reused at once.
     *
     * @param fd       the file descriptor
     * @param buffers  native, writable segments, filled in order; they must stay allocated until reaped
     * @param count    how many of {@code buffers} to use, 1 to IOV_MAX (1024)
     * @param position the file position of the first byte
     * @param tag      returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException    if the queue or its iovec staging area is full, or the queue is closed
     * @throws IllegalArgumentException if {@code count} is out of range or a segment is not native or read-only
     */
    public void prepareReadv(int fd, MemorySegment[] buffers, int count, long position, long tag) {
        stageVectored(Iocbs.CMD_PREADV, fd, buffers, count, position, tag, true);
    }

    /**
     * Prepares {@code IOCB_CMD_PWRITEV}: one write at {@code position} gathered from {@code buffers[0..count)}.
     *
     * @param fd       the file descriptor
     * @param buffers  native segments, written in order; they must stay allocated until reaped
     * @param count    how many of {@code buffers} to use, 1 to IOV_MAX (1024)
     * @param position the file position of the first byte
     * @param tag      returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException    if the queue or its iovec staging area is full, or the queue is closed
     * @throws IllegalArgumentException if {@code count} is out of range or a segment is not native
     */
    public void prepareWritev(int fd, MemorySegment[] buffers, int count, long position, long tag) {
        stageVectored(Iocbs.CMD_PWRITEV, fd, buffers, count, position, tag, false);
    }

    /**
     * Prepares a read with per-request flags: {@code rwFlags} are RWF_* bits (see
     * {@link dev.kaio.RwFlag#bits()}), {@code ioprio} an encoded I/O priority
     * ({@link dev.kaio.IoPriority#value()}) or 0 for none.
     *
     * @param fd       the file descriptor
     * @param buffer   native memory to read into
     * @param position the file position
     * @param tag      returned with the completion by {@link #tag(int)}
     * @param rwFlags  RWF_* bits for aio_rw_flags
     * @param ioprio   the encoded I/O priority, or 0
     * @throws IllegalStateException    if the queue is full or closed
     * @throws IllegalArgumentException as {@link #prepareRead(int, MemorySegment, long, long)}
     */
    public void prepareRead(int fd, MemorySegment buffer, long position, long tag, int rwFlags, int ioprio) {
        checkWritableNative(buffer);
        ensureRoom();
        stageChecked(Iocbs.CMD_PREAD, fd, buffer.address(), buffer.byteSize(), position, tag, rwFlags, ioprio);
    }

    /**
     * Prepares a write with per-request flags (see {@link #prepareRead(int, MemorySegment, long, long, int, int)}).
     *
     * @param fd       the file descriptor
     * @param buffer   native memory to write
     * @param position the file position
     * @param tag      returned with the completion by {@link #tag(int)}
     * @param rwFlags  RWF_* bits for aio_rw_flags
     * @param ioprio   the encoded I/O priority, or 0
     * @throws IllegalStateException    if the queue is full or closed
     * @throws IllegalArgumentException as {@link #prepareWrite(int, MemorySegment, long, long)}
     */
    public void prepareWrite(int fd, MemorySegment buffer, long position, long tag, int rwFlags, int ioprio) {
        checkNative(buffer);
        ensureRoom();
        stageChecked(Iocbs.CMD_PWRITE, fd, buffer.address(), buffer.byteSize(), position, tag, rwFlags, ioprio);
    }

    /**
     * Prepares {@code IOCB_CMD_POLL} (Linux 4.18+): completes when {@code fd} (a pipe, socket,
     * eventfd, ...) is ready for any of {@code events} (POLLIN, POLLOUT, ...; see
     * {@link dev.kaio.PollEvents}), with the ready mask as the result. Regular files are always ready.
     *
     * @param fd     the file descriptor to watch
     * @param events the poll events of interest (16 bits)
     * @param tag    returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException    if the queue is full or closed
     * @throws IllegalArgumentException if {@code events} does not fit 16 bits
     */
    public void preparePoll(int fd, int events, long tag) {
        if ((events & 0xffff) != events) {
            throw new IllegalArgumentException("poll events must fit 16 bits: 0x" + Integer.toHexString(events));
        }
        ensureRoom();
        if (tail == depth) {
            compact();
        }
        Iocbs.prepare(iocbs, Iocbs.IOCB_SIZE * tail, Iocbs.CMD_POLL, fd, events, 0, 0, tag, 0, iocbFlags, resfd, (short) 0);
        tail++;
    }

    /**
     * Prepares {@code IOCB_CMD_FSYNC}: like fsync(2) (Linux 4.18+; EINVAL before).
     *
     * @param fd  the file descriptor
     * @param tag returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException if the queue is full or closed
     */
    public void prepareFsync(int fd, long tag) {
        stage(Iocbs.CMD_FSYNC, fd, 0, 0, 0, tag, 0);
    }

    /**
     * Prepares {@code IOCB_CMD_FDSYNC}: like fdatasync(2) (Linux 4.18+; EINVAL before).
     *
     * @param fd  the file descriptor
     * @param tag returned with the completion by {@link #tag(int)}
     * @throws IllegalStateException if the queue is full or closed
     */
    public void prepareFdsync(int fd, long tag) {
        stage(Iocbs.CMD_FDSYNC, fd, 0, 0, 0, tag, 0);
    }

    private void stageVectored(short opcode, int fd, MemorySegment[] buffers, int count, long position, long tag,
            boolean intoBuffers) {
        if (count < 1 || count > Iocbs.IOV_MAX || count > buffers.length) {
            throw new IllegalArgumentException("count must be in [1, min(IOV_MAX=" + Iocbs.IOV_MAX + ", buffers.length="
                    + buffers.length + ")]: " + count);
        }
        ensureRoom();
        if (iovecsUsed + count > iovecCapacity) {
            throw new IllegalStateException("iovec staging area full (" + iovecCapacity + " entries): submit() first");
        }
        long base = Iocbs.IOVEC_SIZE * iovecsUsed;
        for (int i = 0; i < count; i++) {
            MemorySegment b = buffers[i];
            if (intoBuffers) {
                checkWritableNative(b);
            } else {
                checkNative(b);
            }
            Iocbs.iovec(iovecs, base + Iocbs.IOVEC_SIZE * i, b.address(), b.byteSize());
        }
        iovecsUsed += count;
        stageChecked(opcode, fd, iovecsAddress + base, count, position, tag, 0, 0);
    }

    private void stage(short opcode, int fd, long buf, long nbytes, long position, long tag, int rwFlags) {
        ensureRoom();
        stageChecked(opcode, fd, buf, nbytes, position, tag, rwFlags, 0);
    }

    private void stageChecked(short opcode, int fd, long buf, long nbytes, long position, long tag, int rwFlags,
            int ioprio) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (tail == depth) {
            compact();
        }
        int flags = ioprio != 0 ? iocbFlags | Iocbs.FLAG_IOPRIO : iocbFlags;
        Iocbs.prepare(iocbs, Iocbs.IOCB_SIZE * tail, opcode, fd, buf, nbytes, position, tag, rwFlags, flags, resfd,
                (short) ioprio);
        tail++;
    }

    private void ensureRoom() {
        if (closed) {
            throw new IllegalStateException("AioQueue is closed");
        }
        if (remaining() <= 0) {
            throw new IllegalStateException("AioQueue is full: " + depth + " requests prepared, in flight or not yet reaped");
        }
    }

    /** Moves staged iocbs left by an EAGAIN to the front of the staging array. */
    private void compact() {
        int n = tail - head;
        MemorySegment.copy(iocbs, Iocbs.IOCB_SIZE * head, iocbs, 0, Iocbs.IOCB_SIZE * n);
        head = 0;
        tail = n;
    }

    private static void checkNative(MemorySegment buffer) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("buffer must be native memory (not a heap segment): " + buffer);
        }
    }

    private static void checkWritableNative(MemorySegment buffer) {
        checkNative(buffer);
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("buffer to read into is read-only: " + buffer);
        }
    }

    private static void checkRaw(long address, long length) {
        if (address == 0 || length < 0) {
            throw new IllegalArgumentException("invalid native range: address=" + address + ", length=" + length);
        }
    }

    // ---------------------------------------------------------------- submit

    /**
     * Submits every staged request with as few {@code io_submit} calls as the kernel allows (one,
     * normally). Requests the kernel refuses are reported by the next {@link #reap} with
     * {@code -errno}. Returns the number of requests now in flight that were not before; fewer than
     * {@link #staged()} only when the kernel answered EAGAIN with requests still in flight (reap, then
     * submit again).
     *
     * @return the number of requests submitted by this call
     * @throws ClosedChannelException if the queue is closed
     * @throws IOException            if io_submit fails in a way that concerns the whole queue
     */
    public int submit() throws IOException {
        ensureOpen();
        int submitted = 0;
        while (head < tail) {
            long ret = Syscalls.ioSubmit(errno, ctx, tail - head, iocbPtrsAddress + PTR * head);
            if (ret > 0) {
                head += (int) ret;
                inFlight += (int) ret;
                submitted += (int) ret;
            } else if (ret == -Errno.EAGAIN && inFlight > 0) {
                break; // out of kernel request slots: completions will free some
            } else if (ret == -Errno.EINTR) {
                continue;
            } else {
                // The first remaining iocb was refused (or, with nothing in flight, EAGAIN cannot clear):
                // report it as a failed completion and go on with the rest.
                int err = ret == 0 ? Errno.EAGAIN : (int) -ret;
                refusedTags[refused] = Iocbs.data(iocbs, Iocbs.IOCB_SIZE * head);
                refusedResults[refused] = -err;
                refused++;
                head++;
            }
        }
        if (head == tail) {
            head = 0;
            tail = 0;
            iovecsUsed = 0;
        }
        return submitted;
    }

    // ---------------------------------------------------------------- reap

    /**
     * Waits until at least {@code min} requests have completed (or the timeout passes) and makes up to
     * {@code max} completions readable through {@link #tag(int)} and {@link #result(int)} as indices
     * {@code 0..n-1}, replacing the previous batch. {@code min} is capped at the number of requests
     * that can still complete, so the call never waits for requests that do not exist.
     *
     * <p>Completions are first read from the kernel's completion ring in user space (no system call);
     * io_getevents is called only when the ring holds fewer than {@code min}, to wait (or always, with
     * {@link Options#forceSyscalls(boolean)}).
     *
     * @param min           the number of completions to wait for, 0 to only collect what is there
     * @param max           the most completions to return, in [1, depth]
     * @param timeoutNanos  the longest wait, or a negative value to wait without limit
     * @return the number of completions now readable
     * @throws ClosedChannelException   if the queue is closed
     * @throws AioException             if io_getevents fails
     * @throws IOException              for another I/O failure
     * @throws IllegalArgumentException unless {@code 0 <= min <= max <= depth} and {@code max >= 1}
     */
    public int reap(int min, int max, long timeoutNanos) throws IOException {
        ensureOpen();
        if (max < 1 || max > depth || min < 0 || min > max) {
            throw new IllegalArgumentException("need 0 <= min <= max <= depth (" + depth + "): min=" + min + ", max=" + max);
        }
        int n = 0;
        while (refused > 0 && n < max) {
            refused--;
            Iocbs.setEvent(events, Iocbs.IO_EVENT_SIZE * n, refusedTags[refused], 0, refusedResults[refused], 0);
            n++;
        }
        if (n < max && inFlight > 0 && ring != null) {
            int got = ring.reap(events, Iocbs.IO_EVENT_SIZE * n, max - n);
            inFlight -= got;
            ringCompletions += got;
            n += got;
        }
        if (n < min && inFlight > 0 && ring != null && timeoutNanos != 0 && spin.begin()) {
            n += watchRing(n, min, max, timeoutNanos);
        }
        if (n < max && inFlight > 0 && (n < min || ring == null)) {
            int want = Math.min(Math.max(0, min - n), inFlight);
            long timeoutPtr;
            if (want == 0) {
                timeoutPtr = Syscalls.timeout(timeout, 0);
            } else if (timeoutNanos < 0) {
                timeoutPtr = 0; // NULL: no limit
            } else {
                timeoutPtr = Syscalls.timeout(timeout, timeoutNanos);
            }
            long ret;
            do {
                ret = Syscalls.ioGetevents(errno, ctx, want, max - n, eventsAddress + Iocbs.IO_EVENT_SIZE * n, timeoutPtr);
            } while (ret == -Errno.EINTR);
            if (ret < 0) {
                ready = n;
                throw new AioException((int) -ret, "io_getevents", "context 0x" + Long.toHexString(ctx));
            }
            inFlight -= (int) ret;
            syscallCompletions += ret;
            n += (int) ret;
        }
        ready = n;
        return n;
    }

    /** Reaps from the ring until {@code min} completions are in, or the spin budget is spent. */
    private int watchRing(int n, int min, int max, long timeoutNanos) {
        int got = 0;
        try {
            long budget = spin.budgetFor(timeoutNanos);
            long start = System.nanoTime();
            do {
                int k = ring.reap(events, Iocbs.IO_EVENT_SIZE * (n + got), max - n - got);
                inFlight -= k;
                ringCompletions += k;
                got += k;
                if (n + got >= min || inFlight == 0) {
                    break;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - start < budget);
        } finally {
            spin.end(got > 0);
        }
        return got;
    }

    /**
     * The tag of completion {@code i} of the last {@link #reap}.
     *
     * @param i the index of the completion, in [0, {@link #ready()})
     * @return the tag given when the request was prepared
     * @throws IndexOutOfBoundsException if {@code i} is not a readable completion
     */
    public long tag(int i) {
        checkIndex(i);
        return Iocbs.eventData(events, Iocbs.IO_EVENT_SIZE * i);
    }

    /**
     * The result of completion {@code i} of the last {@link #reap}: bytes transferred (which may be
     * fewer than asked, e.g. 0 at end of file), 0 for fsync/fdsync, or {@code -errno}.
     *
     * @param i the index of the completion, in [0, {@link #ready()})
     * @return the kernel's {@code io_event.res}
     * @throws IndexOutOfBoundsException if {@code i} is not a readable completion
     */
    public long result(int i) {
        checkIndex(i);
        return Iocbs.eventRes(events, Iocbs.IO_EVENT_SIZE * i);
    }

    /**
     * The number of completions readable from the last {@link #reap}.
     *
     * @return the count of readable completions
     */
    public int ready() {
        return ready;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= ready) {
            throw new IndexOutOfBoundsException("completion " + i + " of " + ready);
        }
    }

    /**
     * Builds the exception for a negative {@link #result(int)}, for callers that want one.
     *
     * @param result    the negative result, {@code -errno}
     * @param operation what the request was ({@code "read"}, {@code "write"}, ...)
     * @param detail    what was being done, or null
     * @return the exception, with the errno's name in its message
     * @throws IllegalArgumentException if {@code result} is not negative
     */
    public static AioException failure(long result, String operation, String detail) {
        if (result >= 0) {
            throw new IllegalArgumentException("not a failure: " + result);
        }
        return new AioException((int) -result, operation, detail);
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Whether {@link #close()} has run.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Destroys the kernel context and frees the native state. io_destroy waits until every in-flight
     * request has completed, so buffers may be freed once this returns; completions not yet reaped
     * are discarded, staged requests are dropped without being submitted. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            KernelContexts.destroy(ctx);
        } catch (AioException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (eventFd != null) {
                eventFd.close();
            }
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "AioQueue[ctx=0x" + Long.toHexString(ctx) + ", depth=" + depth + ", staged=" + staged() + ", inFlight="
                + inFlight + (closed ? ", closed" : "") + "]";
    }
}
