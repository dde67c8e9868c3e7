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
package dev.kaio.internal.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.AioException;
import dev.kaio.Errno;
import dev.kaio.internal.core.Kernel;
import dev.kaio.internal.core.Request;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.pollfd;
import dev.kaio.internal.linux.timespec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.MemorySegment.Scope;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link Kernel} port on Linux: one kernel AIO context (io_setup), its iocbs, iovecs and errno
 * capture buffers preallocated in one arena, the completion ring read in user space, and eventfds.
 * Nothing here allocates on the per-request path; the rare paths (io_cancel, creating, signalling and
 * closing eventfds) use a confined arena per call.
 *
 * <p>Memory ownership follows the engine's rules (see {@link Kernel}): a slot's iocb, inline iovecs,
 * errno buffer and wait scratch are used only by the thread that owns or has claimed the slot; the
 * events buffer and the io_getevents timeout only under the engine's reap lock; the reaper's scratch
 * (index {@code depth}) only by the reaper thread.
 */
public final class LinuxKernel implements Kernel {

    /** Vectored requests with up to this many segments use the slot's own iovec array. */
    public static final int INLINE_IOVECS = 8;

    private static final long PTR = ADDRESS.byteSize();
    // per wait-scratch index: an 8-byte read buffer, a struct pollfd, a struct timespec
    private static final long SCRATCH_POLLFD = 8;
    private static final long SCRATCH_TIMESPEC = 16;
    private static final long SCRATCH = 32;

    private final int depth;
    private final long ctx;
    private final Arena arena;
    private final MemorySegment iocbs;
    private final long iocbPtrs;
    private final MemorySegment iovecs;
    private final MemorySegment largeIovecs;     // IOV_MAX entries for longer vectors, under largeIovecLock
    private final ReentrantLock largeIovecLock = new ReentrantLock();
    private final MemorySegment[] errno;         // per slot, and [depth] for the reaper
    private final MemorySegment scratch;         // per slot, and [depth] for the reaper
    private final MemorySegment events;          // under the engine's reap lock
    private final MemorySegment reapErrno;       // under the engine's reap lock
    private final MemorySegment reapTimeout;     // under the engine's reap lock
    private final CompletionRing ring;           // null: io_getevents only
    private volatile long ringEvents;
    private volatile long syscallEvents;
    private final java.util.concurrent.atomic.LongAdder eagainRetries = new java.util.concurrent.atomic.LongAdder();

    /** How many times an io_submit refused with EAGAIN is made again before the refusal is returned. */
    static final int EAGAIN_RETRIES = 19;

    private LinuxKernel(int depth, long ctx, Arena arena, boolean useRing) {
        this.depth = depth;
        this.ctx = ctx;
        this.arena = arena;
        iocbs = arena.allocate(Iocbs.IOCB_SIZE * depth, 64);
        MemorySegment ptrs = arena.allocate(PTR * depth, 64);
        for (int i = 0; i < depth; i++) {
            ptrs.setAtIndex(JAVA_LONG, i, iocbs.address() + Iocbs.IOCB_SIZE * i);
        }
        iocbPtrs = ptrs.address();
        iovecs = arena.allocate(Iocbs.IOVEC_SIZE * INLINE_IOVECS * depth, 64);
        largeIovecs = arena.allocate(Iocbs.IOVEC_SIZE * Iocbs.IOV_MAX, 64);
        errno = new MemorySegment[depth + 1];
        for (int i = 0; i <= depth; i++) {
            errno[i] = Libc.errnoState(arena);
        }
        scratch = arena.allocate(SCRATCH * (depth + 1), 64);
        events = arena.allocate(Iocbs.IO_EVENT_SIZE * depth, 64);
        reapErrno = Libc.errnoState(arena);
        reapTimeout = timespec.allocate(arena);
        ring = useRing ? CompletionRing.attach(ctx) : null;
    }

    /**
     * Sets up a kernel context for {@code depth} requests in flight. {@code useRing}: reap from the
     * completion ring in user space when its header is one kaio understands.
     *
     * @throws AioException EAGAIN when fs.aio-max-nr is exhausted (the message says so), or another errno
     */
    public static LinuxKernel open(int depth, boolean useRing) throws AioException {
        Arena arena = NativeResources.sharedArena();
        long ctx = 0;
        try {
            ctx = KernelContexts.setup(depth);
            return new LinuxKernel(depth, ctx, arena, useRing);
        } catch (AioException | RuntimeException | Error e) {
            if (ctx != 0) {
                try {
                    KernelContexts.destroy(ctx);
                } catch (AioException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            arena.close();
            throw e;
        }
    }

    /** The kernel's aio_context_t (the address of the completion ring). */
    public long contextId() {
        return ctx;
    }

    @Override
    public boolean reapsFromRing() {
        return ring != null;
    }

    /** Events read from the ring in user space so far. */
    public long ringEvents() {
        return ringEvents;
    }

    /** Events returned by io_getevents so far. */
    public long syscallEvents() {
        return syscallEvents;
    }

    // ------------------------------------------------------------------ submit, cancel

    @Override
    public long submit(int slot, long userData, Request r, int resfd) {
        boolean largeVector = r.buffers instanceof List<?> list && list.size() > INLINE_IOVECS;
        if (largeVector) {
            // The kernel copies the iovec array during io_submit: the shared area is needed only until
            // io_submit returns.
            largeIovecLock.lock();
        }
        try {
            prepare(slot, userData, r, resfd, largeVector ? largeIovecs : null);
            // Publish the request before the kernel can complete it (the reaper reads it after an acquire).
            VarHandle.releaseFence();
            return submitOne(slot);
        } finally {
            if (largeVector) {
                largeIovecLock.unlock();
            }
        }
    }

    @Override
    public long submitAll(int[] slots, Request[] requests, long[] userData, int resfd, int from, int count) {
        // One call: the iocb pointers must be consecutive, in a per-call array; vectors longer than the
        // inline ones get their iovecs there too (both are read by the kernel during io_submit only).
        try (Arena call = Arena.ofConfined()) {
            MemorySegment ptrs = call.allocate(PTR * count, 8);
            for (int i = 0; i < count; i++) {
                Request r = requests[from + i];
                int slot = slots[from + i];
                MemorySegment large = r.buffers instanceof List<?> list && list.size() > INLINE_IOVECS
                        ? call.allocate(Iocbs.IOVEC_SIZE * list.size(), 8) : null;
                prepare(slot, userData[from + i], r, resfd, large);
                ptrs.setAtIndex(JAVA_LONG, i, iocbs.address() + Iocbs.IOCB_SIZE * slot);
            }
            VarHandle.releaseFence();
            return ioSubmit(Libc.errnoState(call), count, ptrs.address());
        }
    }

    /** Writes the iocb of {@code slot} (and its iovecs: the slot's own, or {@code largeIovecs}). */
    private void prepare(int slot, long userData, Request r, int resfd, MemorySegment largeIovecs) {
        long bufAddress;
        long nbytes;
        if (r.buffers instanceof List<?> list) {
            int n = list.size();
            MemorySegment iov;
            long iovOffset;
            if (largeIovecs == null) {
                iov = iovecs;
                iovOffset = Iocbs.IOVEC_SIZE * INLINE_IOVECS * slot;
            } else {
                iov = largeIovecs;
                iovOffset = 0;
            }
            for (int i = 0; i < n; i++) {
                MemorySegment s = (MemorySegment) list.get(i);
                Iocbs.iovec(iov, iovOffset + Iocbs.IOVEC_SIZE * i, s.address(), s.byteSize());
            }
            bufAddress = iov.address() + iovOffset;
            nbytes = n;
        } else if (r.buffers instanceof MemorySegment b) {
            bufAddress = b.address();
            nbytes = b.byteSize();
        } else if (r.buffers instanceof java.nio.ByteBuffer) {
            bufAddress = r.bufferAddress; // a direct buffer's, computed once by the adapter
            nbytes = r.bufferLength;
        } else if (r.opcode == Iocbs.CMD_POLL) {
            bufAddress = r.position; // the poll events mask travels in aio_buf
            nbytes = 0;
        } else {
            bufAddress = 0;
            nbytes = 0;
        }
        long position = r.opcode == Iocbs.CMD_POLL ? 0 : r.position;
        int flags = (resfd >= 0 ? Iocbs.FLAG_RESFD : 0) | (r.ioprio != 0 ? Iocbs.FLAG_IOPRIO : 0);
        Iocbs.prepare(iocbs, Iocbs.IOCB_SIZE * slot, r.opcode, r.fd, bufAddress, nbytes, position, userData,
                r.rwFlags, flags, Math.max(resfd, 0), (short) r.ioprio);
    }

    /** io_submit of one slot's iocb, as {@link #ioSubmit}. */
    private long submitOne(int slot) {
        return ioSubmit(errno[slot], 1, iocbPtrs + PTR * slot);
    }

    /**
     * io_submit of {@code count} iocbs whose pointers are at {@code ptrs}; retries EINTR, and EAGAIN (the
     * kernel short of requests, which the engine's accounting should make impossible) up to
     * {@link #EAGAIN_RETRIES} times, 100 µs apart.
     */
    private long ioSubmit(MemorySegment err, int count, long ptrs) {
        int eagains = 0;
        while (true) {
            long ret = Syscalls.ioSubmit(err, ctx, count, ptrs);
            if (ret == -Errno.EINTR) {
                continue;
            }
            if (ret == -Errno.EAGAIN && ++eagains <= EAGAIN_RETRIES) {
                eagainRetries.increment();
                LockSupport.parkNanos(100_000L);
                continue;
            }
            return ret == 0 ? -Errno.EAGAIN : ret;
        }
    }

    /** io_submit calls made again after EAGAIN so far (the engine's accounting should keep this at 0). */
    public long eagainRetries() {
        return eagainRetries.sum();
    }

    @Override
    public long cancel(int slot) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment result = tmp.allocate(Iocbs.IO_EVENT_SIZE, 8);
            // Linux 4.19+ always delivers the cancelled request's event through the ring (before that, a 0
            // return copied it into 'result' instead; kaio needs 4.18+ features anyway).
            return Syscalls.ioCancel(Libc.errnoState(tmp), ctx, iocbs.address() + Iocbs.IOCB_SIZE * slot,
                    result.address());
        }
    }

    // ------------------------------------------------------------------ reap

    @Override
    public int reap(EventSink sink) {
        if (ring != null) {
            VarHandle.acquireFence();
            int n = ring.drain(sink);
            if (n > 0) {
                ringEvents += n;
            }
            if (n != CompletionRing.UNREADABLE) {
                return n;
            }
        }
        return getevents(sink, 0, Syscalls.timeout(reapTimeout, 0));
    }

    @Override
    public long unreapedMark() {
        return ring != null ? ring.oldestWaiting() : 0;
    }

    @Override
    public int reapWaiting(EventSink sink, long timeoutNanos) {
        return getevents(sink, 1, timeoutNanos < 0 ? 0 : Syscalls.timeout(reapTimeout, timeoutNanos));
    }

    private int getevents(EventSink sink, int min, long timeoutPtr) {
        long got = Syscalls.ioGetevents(reapErrno, ctx, min, depth, events.address(), timeoutPtr);
        if (got == -Errno.EINTR) {
            return 0;
        }
        if (got <= 0) {
            return (int) got;
        }
        int n = (int) got;
        syscallEvents += n;
        VarHandle.acquireFence();
        for (int i = 0; i < n; i++) {
            long at = Iocbs.IO_EVENT_SIZE * i;
            sink.event(Iocbs.eventData(events, at), Iocbs.eventRes(events, at));
        }
        return n;
    }

    // ------------------------------------------------------------------ eventfds

    @Override
    public int createEventFd() {
        try (Arena tmp = Arena.ofConfined()) {
            int fd = Libc.eventfd(Libc.errnoState(tmp), 0, LinuxH.EFD_CLOEXEC());
            if (fd >= 0) {
                NativeResources.descriptorOpened();
            }
            return fd;
        }
    }

    @Override
    public int awaitEventFd(int fd, int index, long timeoutNanos) {
        MemorySegment err = errno[index];
        long base = scratch.address() + SCRATCH * index;
        if (timeoutNanos >= 0) {
            long pollfdAddress = base + SCRATCH_POLLFD;
            MemorySegment s = scratch.asSlice(SCRATCH * index, SCRATCH);
            MemorySegment p = s.asSlice(SCRATCH_POLLFD, pollfd.sizeof());
            pollfd.fd(p, fd);
            pollfd.events(p, (short) LinuxH.POLLIN());
            pollfd.revents(p, (short) 0);
            long ts = Syscalls.timeout(s.asSlice(SCRATCH_TIMESPEC, timespec.sizeof()), timeoutNanos);
            int ready = Libc.ppoll(err, pollfdAddress, 1, ts);
            if (ready <= 0) {
                return ready; // 0: timed out; -errno (EINTR included)
            }
        }
        // the counter is non-zero (ppoll said so), or we block until it is: read resets it
        long ret = Libc.read(err, fd, base, 8);
        return ret < 0 ? (int) ret : 1;
    }

    @Override
    public int signalEventFd(int fd) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment one = tmp.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            long ret = Libc.write(Libc.errnoState(tmp), fd, one.address(), 8);
            return ret < 0 ? (int) ret : 0;
        }
    }

    @Override
    public void closeEventFd(int fd) {
        try (Arena tmp = Arena.ofConfined()) {
            Libc.close(Libc.errnoState(tmp), fd);
        }
        NativeResources.descriptorClosed();
    }

    // ------------------------------------------------------------------ destroy

    @Override
    public long destroy() {
        try {
            KernelContexts.destroy(ctx);
            return 0;
        } catch (AioException e) {
            return -e.errno();
        }
    }

    @Override
    public void release() {
        arena.close();
    }

    /** True while the native memory is allocated (for tests). */
    public boolean isAllocated() {
        Scope scope = arena.scope();
        return scope.isAlive();
    }
}
