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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.internal.linux.timespec;
import dev.kaio.internal.sys.CompletionRing;
import dev.kaio.internal.sys.EventFd;
import dev.kaio.internal.sys.Iocbs;
import dev.kaio.internal.sys.KernelContexts;
import dev.kaio.internal.sys.KernelFeatures;
import dev.kaio.internal.sys.Libc;
import dev.kaio.internal.sys.NativeAccess;
import dev.kaio.internal.sys.SlotStack;
import dev.kaio.internal.sys.Syscalls;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Linux kernel AIO context ({@code io_setup}) shared by any number of {@link AioFile}s and threads;
 * completions are collected by a reaper thread (the default) or, bound to an eventfd, by the
 * application's own event loop.
 *
 * {@snippet :
 * try (AioContext ctx = AioContext.open(128)) {     // up to 128 requests in flight
 *     AioFile file = AioFile.open(ctx, path, StandardOpenOption.READ, AioOpenOption.DIRECT);
 *     ...
 * }                                                 // waits for in-flight requests, then io_destroy
 * }
 *
 * <h2>Design</h2>
 * The context preallocates, in one arena, a <em>slot</em> per request it can have in flight: an iocb,
 * a small inline iovec array, an errno capture buffer, and a reusable {@code Request} record holding
 * the future and the buffers (which stay reachable until the kernel has completed the request). A
 * submitting thread takes a free slot, fills the iocb and calls {@code io_submit} itself, so
 * submissions from many threads proceed in parallel without a hand-off. The slot index and a
 * generation number travel in the iocb's 64-bit {@code aio_data} and identify the request when its
 * event comes back.
 *
 * <h2>Completions</h2>
 * By default one platform daemon thread per context collects completions: first from the kernel's
 * completion ring in user space (no system call; see {@link Options#forceSyscalls(boolean)}), and
 * when the ring is empty it waits in {@code io_getevents}. With {@link Options#eventFd()} there is no
 * reaper thread: every request carries IOCB_FLAG_RESFD, the kernel signals {@link #eventFd()} once
 * per completion, and the application calls {@link #processCompletions()} (or
 * {@link #awaitCompletions(long, TimeUnit)}) from its own loop. Futures complete on the thread that
 * collects them: keep dependent actions short, or use the {@code *Async} variants.
 *
 * <h2>Back-pressure</h2>
 * When all {@link #queueDepth()} slots are in flight, a submitting thread waits for a free slot
 * (a virtual thread unmounts while it waits; in eventfd mode the waiting thread collects completions
 * itself). Requests submitted from the thread that is completing futures (from callbacks) never
 * wait: they are queued and submitted as soon as slots free up. No request is dropped.
 *
 * <h2>Cancellation</h2>
 * {@code cancel} on a future returned by kaio calls {@code io_cancel}. If the kernel cancels the
 * request (it can cancel {@link #poll(int, int)} requests) the future ends cancelled; if it cannot
 * (Linux cannot cancel reads and writes of files and block devices once submitted), {@code cancel}
 * returns false and the request completes normally. Either way the future ends exactly once and the
 * request keeps its buffers until the kernel has finished with them.
 *
 * <h2>Kernel resources</h2>
 * {@code open(n)} calls {@code io_setup(n + 1)}: one event beyond the queue depth is reserved for the
 * request that wakes the reaper on close. Each context counts {@code n + 1} against the system-wide
 * {@code /proc/sys/fs/aio-max-nr}; when that is exhausted {@code open} fails with an
 * {@link AioException} (EAGAIN) naming the sysctl and the numbers.
 *
 * <p>Thread-safe.
 */
public final class AioContext implements AutoCloseable {

    static {
        NativeAccess.init(); // before any use of the generated bindings: see NativeAccess
    }

    /** The largest queue depth accepted. */
    public static final int MAX_QUEUE_DEPTH = 65536;

    static final byte RESULT_INT = 0;
    static final byte RESULT_LONG = 1;
    static final byte RESULT_VOID = 2;

    /** Vectored requests with up to this many segments use the slot's own iovec array. */
    static final int INLINE_IOVECS = 8;

    // Struct sizes are read from Iocbs in the methods, not copied into static fields here, so that
    // initialising this public class does not initialise the generated bindings (see NativeAccess).
    private static final long PTR = ADDRESS.byteSize();
    private static final long WAKE_TAG = -1L;

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private static final int FREE = 0;
    private static final int INFLIGHT = 1;
    private static final int CANCELLING = 2;

    private static final int ECANCELED = 125;
    private static final int EINPROGRESS = 115;
    private static final int RWF_NOWAIT = 0x8;

    private static final long CLOSING_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long NO_POLL_WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final AtomicInteger CONTEXT_NUMBERS = new AtomicInteger();

    private final int depth;
    private final long ctx;
    private final Arena arena;
    private final MemorySegment iocbs;          // depth + 1 (the last one is the close wake-up)
    private final long iocbPtrs;                // address of depth + 1 pointers, ptr[i] = &iocbs[i]
    private final MemorySegment iovecs;         // depth * INLINE_IOVECS
    private final MemorySegment largeIovecs;    // IOV_MAX entries, for longer vectors, under largeIovecLock
    private final ReentrantLock largeIovecLock = new ReentrantLock();
    private final MemorySegment[] slotErrno;    // per-slot errno capture
    private final Request[] requests;
    private final SlotStack freeSlots;
    private final Semaphore permits;
    private final EventFd wakeFd;               // reaper mode: wakes the reaper on close (null without POLL)
    private final EventFd completionFd;         // eventfd mode: signalled by the kernel per completion
    private final int iocbFlags;
    private final int resfd;
    private final Thread reaper;                // null in eventfd mode
    private final ReentrantLock reapLock = new ReentrantLock(); // eventfd mode: who collects completions
    private final CompletionRing ring;          // null: io_getevents only

    // owned by whoever collects completions (the reaper thread, or the reapLock holder)
    private final MemorySegment events;
    private final MemorySegment reaperErrno;
    private final MemorySegment timeout;
    private final ArrayDeque<Pending> overflow = new ArrayDeque<>();
    private boolean collecting;                 // re-entrance guard: a callback must not reap

    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile long ringCompletions;
    private volatile long syscallCompletions;

    /**
     * How an {@link AioContext} collects completions. Defaults: a reaper thread, reaping from the
     * kernel's ring in user space when its header is valid (system property
     * {@code kaio.forceSyscalls=true} forces io_getevents).
     */
    public static final class Options {
        private boolean forceSyscalls = Boolean.getBoolean("kaio.forceSyscalls");
        private boolean eventFd;

        public static Options defaults() {
            return new Options();
        }

        /** Collect completions only with io_getevents, never from the ring in user space. */
        public Options forceSyscalls(boolean force) {
            this.forceSyscalls = force;
            return this;
        }

        /**
         * No reaper thread: every request carries IOCB_FLAG_RESFD, the kernel adds 1 to the context's
         * eventfd per completion, and the application collects completions with
         * {@link AioContext#processCompletions()} when {@link AioContext#eventFd()} is readable.
         */
        public Options eventFd() {
            this.eventFd = true;
            return this;
        }
    }

    private AioContext(int depth, Options options) throws IOException {
        this.depth = depth;
        this.arena = dev.kaio.internal.sys.NativeResources.sharedArena();
        EventFd wake = null;
        EventFd completions = null;
        long kernelCtx = 0;
        try {
            iocbs = arena.allocate(Iocbs.IOCB_SIZE * (depth + 1), 64);
            MemorySegment ptrs = arena.allocate(PTR * (depth + 1), 64);
            for (int i = 0; i <= depth; i++) {
                ptrs.setAtIndex(JAVA_LONG, i, iocbs.address() + Iocbs.IOCB_SIZE * i);
            }
            iocbPtrs = ptrs.address();
            iovecs = arena.allocate(Iocbs.IOVEC_SIZE * INLINE_IOVECS * depth, 64);
            largeIovecs = arena.allocate(Iocbs.IOVEC_SIZE * Iocbs.IOV_MAX, 64);
            slotErrno = new MemorySegment[depth];
            requests = new Request[depth];
            for (int i = 0; i < depth; i++) {
                slotErrno[i] = Libc.errnoState(arena);
                requests[i] = new Request();
            }
            freeSlots = new SlotStack(depth);
            permits = new Semaphore(depth);
            events = arena.allocate(Iocbs.IO_EVENT_SIZE * (depth + 1), 64);
            reaperErrno = Libc.errnoState(arena);
            timeout = timespec.allocate(arena);
            if (options.eventFd) {
                completions = new EventFd(false); // blocking, so that a thread can park in read(2) on it
            } else if (KernelFeatures.poll()) {
                wake = new EventFd(true);
            }
            wakeFd = wake;
            completionFd = completions;
            iocbFlags = completions != null ? Iocbs.FLAG_RESFD : 0;
            resfd = completions != null ? completions.fd() : 0;
            kernelCtx = KernelContexts.setup(depth + 1);
            ctx = kernelCtx;
            ring = options.forceSyscalls ? null : CompletionRing.attach(kernelCtx);
            if (options.eventFd) {
                reaper = null;
            } else {
                reaper = new Thread(this::reapLoop, "kaio-reaper-" + CONTEXT_NUMBERS.incrementAndGet());
                reaper.setDaemon(true);
                reaper.start();
            }
        } catch (IOException | RuntimeException | Error e) {
            if (kernelCtx != 0) {
                try {
                    KernelContexts.destroy(kernelCtx);
                } catch (AioException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (wake != null) {
                wake.close();
            }
            if (completions != null) {
                completions.close();
            }
            arena.close();
            throw e;
        }
    }

    /**
     * Creates a context able to have {@code queueDepth} requests in flight at once, with a reaper
     * thread.
     *
     * @throws AioException                  EAGAIN when {@code /proc/sys/fs/aio-max-nr} is exhausted
     *                                       (the message shows aio-nr and aio-max-nr), or another
     *                                       errno from io_setup
     * @throws IllegalArgumentException      if {@code queueDepth} is not in [1, {@value #MAX_QUEUE_DEPTH}]
     * @throws UnsupportedOperationException when native access is not enabled (the message names the
     *                                       flag) or the platform is not Linux x86_64
     */
    public static AioContext open(int queueDepth) throws IOException {
        return open(queueDepth, Options.defaults());
    }

    /** Creates a context set up as {@code options} say. */
    public static AioContext open(int queueDepth, Options options) throws IOException {
        if (queueDepth < 1 || queueDepth > MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("queueDepth must be in [1, " + MAX_QUEUE_DEPTH + "]: " + queueDepth);
        }
        Objects.requireNonNull(options, "options");
        NativeAccess.ensureEnabled();
        return new AioContext(queueDepth, options);
    }

    /** The number of requests that can be in flight at once. */
    public int queueDepth() {
        return depth;
    }

    /** Requests currently holding a slot (submitted and not yet completed). */
    public int inFlight() {
        return Math.max(0, depth - permits.availablePermits());
    }

    /**
     * The kernel's {@code aio_context_t}, which is the address at which io_setup mapped this context's
     * completion ring (useful for diagnostics).
     */
    public long contextId() {
        return ctx;
    }

    /** True if completions are read from the kernel's ring in user space when available. */
    public boolean reapsFromRing() {
        return ring != null;
    }

    /** Completions collected from the ring in user space so far. */
    public long ringCompletions() {
        return ringCompletions;
    }

    /** Completions collected with io_getevents so far. */
    public long syscallCompletions() {
        return syscallCompletions;
    }

    /**
     * The eventfd the kernel signals once per completion, for contexts opened with
     * {@link Options#eventFd()}; -1 for a context with a reaper thread. It is a blocking eventfd: a
     * thread may park in read(2) on it, or an event loop may poll it for POLLIN; either way, read its 8
     * bytes (the number of completions signalled since the last read) and then call
     * {@link #processCompletions()}.
     */
    public int eventFd() {
        return completionFd != null ? completionFd.fd() : -1;
    }

    /** True once {@link #close()} has been called. */
    public boolean isClosed() {
        return state.get() != OPEN;
    }

    void ensureOpen() throws ClosedChannelException {
        if (state.get() != OPEN) {
            throw new ClosedChannelException();
        }
    }

    /** True on the thread that is completing futures (the reaper, or the eventfd-mode collector). */
    boolean isCompletingThread() {
        return reaper != null ? Thread.currentThread() == reaper : reapLock.isHeldByCurrentThread();
    }

    // ------------------------------------------------------------------------------------ submit

    /**
     * Submits one request for {@code file} (null for a poll). Either {@code buffer} (plain read/write),
     * {@code vector} (PREADV/PWRITEV) or neither (FSYNC/FDSYNC/POLL) is given; arguments were
     * validated by the caller.
     */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> submit(AioFile file, int fd, short opcode, byte kind, MemorySegment buffer,
            List<MemorySegment> vector, long position, long length, IoOptions options) {
        AioFuture<Object> future = new AioFuture<>(this);
        if (file != null && !file.beginRequest()) {
            future.completeExceptionally(new ClosedChannelException());
            return (CompletableFuture<T>) future;
        }
        // From here on, file.endRequest() is called exactly once for this request.
        if (isCompletingThread()) {
            if (!permits.tryAcquire()) {
                future.phase = AioFuture.QUEUED;
                overflow.add(new Pending(file, fd, opcode, kind, buffer, vector, position, length, options, future));
                return (CompletableFuture<T>) future;
            }
        } else if (!acquirePermit(future, file)) {
            return (CompletableFuture<T>) future;
        }
        submitWithPermit(file, fd, opcode, kind, buffer, vector, position, length, options, future);
        return (CompletableFuture<T>) future;
    }

    /** Waits for a free slot; false (and the future failed) if interrupted. */
    private boolean acquirePermit(AioFuture<Object> future, AioFile file) {
        try {
            if (reaper == null) {
                // eventfd mode: nobody else may be collecting completions, so collect them while waiting
                while (!permits.tryAcquire(1, TimeUnit.MILLISECONDS)) {
                    if (state.get() == OPEN) {
                        processCompletions();
                    } else {
                        permits.acquire();
                        break;
                    }
                }
            } else {
                permits.acquire();
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (file != null) {
                file.endRequest();
            }
            future.completeExceptionally(new InterruptedIOException(
                    "interrupted while waiting for a free slot; the request was not submitted"));
            return false;
        }
    }

    private void submitWithPermit(AioFile file, int fd, short opcode, byte kind, MemorySegment buffer,
            List<MemorySegment> vector, long position, long length, IoOptions options, AioFuture<Object> future) {
        if (state.get() != OPEN) {
            permits.release();
            if (file != null) {
                file.endRequest();
            }
            future.completeExceptionally(new ClosedChannelException());
            return;
        }
        int slot = freeSlots.pop(); // a permit guarantees a free slot
        Request r = requests[slot];
        r.future = future;
        r.kind = kind;
        r.file = file;
        r.fd = fd;
        r.buffers = buffer != null ? buffer : vector;
        r.opcode = opcode;
        r.position = position;
        r.length = length;
        r.rwFlags = options.rwFlags();
        r.ioprio = options.priority() != null ? options.priority().value() : 0;
        r.retryWithoutNowait = options.retriesWithoutNowait();
        r.cancelRequested = false;
        r.cancelledByClose = false;
        future.slot = slot;
        future.generation = r.generation;
        r.state.set(INFLIGHT);
        long ret = prepareAndSubmit(slot, r);
        if (ret != 1) {
            int errno = ret == 0 ? Errno.EAGAIN : (int) -ret;
            AioException failure = requestFailure(r, errno, "io_submit");
            r.state.set(FREE);
            releaseSlot(slot, r);
            try {
                future.completeExceptionally(failure);
            } finally {
                if (file != null) {
                    file.endRequest();
                }
            }
        }
    }

    /** Writes the slot's iocb (and iovecs) from its request and io_submits it; returns io_submit's result. */
    private long prepareAndSubmit(int slot, Request r) {
        long bufAddress;
        long nbytes;
        boolean largeVector = false;
        try {
            if (r.buffers instanceof List<?> list) {
                int n = list.size();
                MemorySegment iov;
                long iovOffset;
                if (n <= INLINE_IOVECS) {
                    iov = iovecs;
                    iovOffset = Iocbs.IOVEC_SIZE * INLINE_IOVECS * slot;
                } else {
                    // The kernel copies the iovec array during io_submit: the shared area is needed only
                    // until io_submit returns.
                    largeIovecLock.lock();
                    largeVector = true;
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
            } else if (r.opcode == Iocbs.CMD_POLL) {
                bufAddress = r.position; // the poll events mask travels in aio_buf
                nbytes = 0;
            } else {
                bufAddress = 0;
                nbytes = 0;
            }
            long position = r.opcode == Iocbs.CMD_POLL ? 0 : r.position;
            int flags = r.ioprio != 0 ? iocbFlags | Iocbs.FLAG_IOPRIO : iocbFlags;
            long data = ((long) r.generation << 32) | slot;
            Iocbs.prepare(iocbs, Iocbs.IOCB_SIZE * slot, r.opcode, r.fd, bufAddress, nbytes, position, data, r.rwFlags,
                    flags, resfd, (short) r.ioprio);
            // Publish the request before the kernel can complete it (the collector does an acquire fence).
            VarHandle.releaseFence();
            return submitOne(slot);
        } finally {
            if (largeVector) {
                largeIovecLock.unlock();
            }
        }
    }

    /** io_submit of one slot's iocb; retries EINTR, and EAGAIN (kernel short of requests) for up to ~1 s. */
    private long submitOne(int slot) {
        MemorySegment errno = slotErrno[slot];
        long ptr = iocbPtrs + PTR * slot;
        long ret;
        int eagains = 0;
        while (true) {
            ret = Syscalls.ioSubmit(errno, ctx, 1, ptr);
            if (ret == -Errno.EINTR) {
                continue;
            }
            if (ret == -Errno.EAGAIN && !isCompletingThread() && ++eagains < 1000) {
                LockSupport.parkNanos(1_000_000L);
                continue;
            }
            return ret;
        }
    }

    private void releaseSlot(int slot, Request r) {
        r.clear();
        freeSlots.push(slot);
        permits.release();
    }

    // ------------------------------------------------------------------------------------ poll

    /**
     * Waits asynchronously (IOCB_CMD_POLL, Linux 4.18+) until {@code fd} is ready for any of
     * {@code events} ({@link PollEvents}); completes with the ready mask. Works on pipes, sockets,
     * eventfds, terminals; a regular file is always ready. Cancellable: {@code cancel} on the future
     * calls io_cancel, which the kernel honours for polls. The caller keeps {@code fd} open until the
     * future completes.
     */
    public CompletableFuture<Integer> poll(int fd, int events) {
        if (fd < 0) {
            throw new IllegalArgumentException("negative file descriptor: " + fd);
        }
        if (events == 0 || (events & 0xffff) != events) {
            throw new IllegalArgumentException("poll events must be non-zero and fit 16 bits: 0x"
                    + Integer.toHexString(events));
        }
        return submit(null, fd, Iocbs.CMD_POLL, RESULT_INT, null, null, events, 0, IoOptions.NONE);
    }

    // ------------------------------------------------------------------------------------ cancel

    /** io_cancel of a submitted request; true if the kernel took the cancellation. */
    boolean cancel(AioFuture<?> f) {
        if (f.phase == AioFuture.QUEUED) {
            // still waiting in the overflow queue: never reached the kernel
            return AioFuture.PHASE.compareAndSet(f, AioFuture.QUEUED, AioFuture.CANCELLED);
        }
        int slot = f.slot;
        if (slot < 0 || state.get() == CLOSED) {
            return false;
        }
        return cancelSlot(slot, f, false);
    }

    /**
     * io_cancel of the request in {@code slot}, if it is still {@code f}'s. The slot is held in
     * CANCELLING meanwhile, so it cannot complete and be reused for another request under the call.
     * True if the kernel took the cancellation; {@code byClose} records that close() asked for it.
     */
    private boolean cancelSlot(int slot, AioFuture<?> f, boolean byClose) {
        Request r = requests[slot];
        if (!r.state.compareAndSet(INFLIGHT, CANCELLING)) {
            return false; // completing right now, or the slot is free
        }
        try {
            if (r.future != f || r.generation != f.generation) {
                return false;
            }
            long ret;
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment result = tmp.allocate(Iocbs.IO_EVENT_SIZE, 8);
                ret = Syscalls.ioCancel(Libc.errnoState(tmp), ctx, iocbs.address() + Iocbs.IOCB_SIZE * slot,
                        result.address());
            }
            if (ret == -EINPROGRESS || ret == 0) {
                // Linux 4.19+: the completion (-ECANCELED) is always delivered through the ring.
                // (Before, a 0 return copied it to 'result' instead; kaio needs 4.18+ features anyway.)
                if (byClose) {
                    r.cancelledByClose = true;
                }
                r.cancelRequested = true;
                return true;
            }
            return false; // EINVAL: this kind of request cannot be cancelled; EAGAIN: already completing
        } finally {
            r.state.set(INFLIGHT);
        }
    }

    // ------------------------------------------------------------------------------------ completions

    private void reapLoop() {
        Throwable failure = null;
        try {
            while (true) {
                long wait;
                if (state.get() != OPEN) {
                    wait = CLOSING_POLL_NANOS;
                } else if (wakeFd == null) {
                    wait = NO_POLL_WAKE_NANOS;
                } else {
                    wait = -1; // without limit: close() wakes us with a POLL on wakeFd
                }
                collect(wait);
                if (state.get() != OPEN && overflow.isEmpty() && permits.tryAcquire(depth)) {
                    break; // nothing in flight, and nobody can submit any more
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            teardown(failure);
        }
    }

    /**
     * Collects completions: from the ring first, then, if there were none and {@code waitNanos != 0},
     * waits in io_getevents for at least one ({@code waitNanos < 0}: without limit). Completes the
     * futures and submits queued requests. Returns the number of requests completed.
     */
    private int collect(long waitNanos) throws AioException {
        int n = 0;
        if (ring != null) {
            n = ring.reap(events, 0, depth + 1);
            if (n > 0) {
                ringCompletions += n;
            }
        }
        // With the ring, an empty ring means io_getevents would find nothing either: only call it to wait.
        if (n == 0 && (ring == null || waitNanos != 0)) {
            long timeoutPtr;
            int min;
            if (waitNanos == 0) {
                min = 0;
                timeoutPtr = Syscalls.timeout(timeout, 0);
            } else {
                min = 1;
                timeoutPtr = waitNanos < 0 ? 0 : Syscalls.timeout(timeout, waitNanos);
            }
            long got = Syscalls.ioGetevents(reaperErrno, ctx, min, depth + 1, events.address(), timeoutPtr);
            if (got == -Errno.EINTR) {
                got = 0;
            }
            if (got < 0) {
                throw new AioException((int) -got, "io_getevents", "context 0x" + Long.toHexString(ctx));
            }
            n = (int) got;
            if (n > 0) {
                syscallCompletions += n;
            }
        }
        VarHandle.acquireFence();
        int completed = 0;
        collecting = true;
        try {
            for (int i = 0; i < n; i++) {
                if (complete(Iocbs.IO_EVENT_SIZE * i)) {
                    completed++;
                }
            }
            drainOverflow();
        } finally {
            collecting = false;
        }
        return completed;
    }

    /** Completes the request of one io_event; false for the close wake-up or an unknown event. */
    private boolean complete(long eventOffset) {
        long data = Iocbs.eventData(events, eventOffset);
        if (data == WAKE_TAG) {
            return false;
        }
        long res = Iocbs.eventRes(events, eventOffset);
        int slot = (int) data;
        int generation = (int) (data >>> 32);
        if (slot < 0 || slot >= depth || requests[slot].generation != generation || requests[slot].future == null) {
            // Cannot happen unless memory is corrupted; never complete the wrong request.
            System.err.println("kaio: ignoring completion with unknown aio_data 0x" + Long.toHexString(data));
            return false;
        }
        Request r = requests[slot];
        if (res == -Errno.EAGAIN && (r.rwFlags & RWF_NOWAIT) != 0 && r.retryWithoutNowait && state.get() == OPEN) {
            // RWF_NOWAIT would have blocked: submit the same request again, blocking this time
            r.rwFlags &= ~RWF_NOWAIT;
            long ret = prepareAndSubmit(slot, r);
            if (ret == 1) {
                return false;
            }
            res = ret == 0 ? -Errno.EAGAIN : ret;
        }
        // wait out a concurrent io_cancel on this slot before recycling it
        while (!r.state.compareAndSet(INFLIGHT, FREE)) {
            Thread.onSpinWait();
        }
        AioFuture<Object> future = r.future;
        AioFile file = r.file;
        byte kind = r.kind;
        Throwable failure = null;
        // A poll cancelled by io_cancel completes with an empty mask (Linux 4.19+), other kinds with ECANCELED.
        boolean cancelled = r.cancelRequested && (res == -ECANCELED || (res == 0 && r.opcode == Iocbs.CMD_POLL));
        if (cancelled) {
            failure = r.cancelledByClose ? new AsynchronousCloseException()
                    : new CancellationException("cancelled by io_cancel");
        } else if (res < 0) {
            if (res == -ECANCELED && state.get() != OPEN) {
                failure = new AsynchronousCloseException();
            } else if (res == -Errno.EAGAIN && (r.rwFlags & RWF_NOWAIT) != 0) {
                failure = new WouldBlockException(opName(r.opcode), describe(r));
            } else {
                failure = requestFailure(r, (int) -res, opName(r.opcode));
            }
        }
        releaseSlot(slot, r); // first, so that callbacks can submit into the free slot
        try {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else if (kind == RESULT_INT) {
                future.complete(boxed((int) res));
            } else if (kind == RESULT_LONG) {
                future.complete(res);
            } else {
                future.complete(null);
            }
        } finally {
            // last: AioFile.close() waits for this, so the callbacks that ran above are done by then
            if (file != null) {
                file.endRequest();
            }
        }
        return true;
    }

    /** Boxed results for power-of-two sizes from 512 B to 1 MiB, so that common reads do not allocate an Integer. */
    private static final Integer[] POWERS_OF_TWO = new Integer[21];

    static {
        for (int i = 0; i < POWERS_OF_TWO.length; i++) {
            POWERS_OF_TWO[i] = 1 << i;
        }
    }

    private static Integer boxed(int n) {
        if (n > 0 && (n & (n - 1)) == 0 && n <= 1 << 20) {
            return POWERS_OF_TWO[Integer.numberOfTrailingZeros(n)];
        }
        return n;
    }

    private void drainOverflow() {
        Pending p;
        while ((p = overflow.peek()) != null && permits.tryAcquire()) {
            overflow.poll();
            if (!AioFuture.PHASE.compareAndSet(p.future, AioFuture.QUEUED, AioFuture.SUBMITTED)) {
                permits.release(); // cancelled while queued
                if (p.file != null) {
                    p.file.endRequest();
                }
                continue;
            }
            submitWithPermit(p.file, p.fd, p.opcode, p.kind, p.buffer, p.vector, p.position, p.length, p.options,
                    p.future);
        }
    }

    /**
     * Eventfd mode: completes the futures of every request that has completed, on the calling thread,
     * without waiting. Returns how many. Call it when {@link #eventFd()} is readable (after reading it)
     * or periodically. Calls from a completion callback return 0.
     *
     * @throws IllegalStateException for a context with a reaper thread
     */
    public int processCompletions() {
        return collectOnCaller(0);
    }

    /**
     * Eventfd mode: like {@link #processCompletions()}, but if nothing has completed, waits up to
     * {@code timeout} for at least one completion. Returns how many requests it completed.
     */
    public int awaitCompletions(long timeout, TimeUnit unit) {
        long nanos = unit.toNanos(timeout);
        return collectOnCaller(nanos <= 0 ? 0 : nanos);
    }

    private int collectOnCaller(long waitNanos) {
        if (reaper != null) {
            throw new IllegalStateException("this context has a reaper thread; processCompletions() is for contexts "
                    + "opened with Options.eventFd()");
        }
        reapLock.lock();
        try {
            if (collecting || state.get() == CLOSED) {
                return 0;
            }
            int n = collect(waitNanos);
            if (state.get() == CLOSING && overflow.isEmpty() && permits.tryAcquire(depth)) {
                teardown(null);
            }
            return n;
        } catch (AioException e) {
            teardown(e);
            return 0;
        } finally {
            reapLock.unlock();
        }
    }

    private void teardown(Throwable failure) {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        Throwable outcome = failure;
        try {
            ClosedChannelException closed = new ClosedChannelException();
            if (failure != null) {
                closed.initCause(failure);
                // The kernel context is unusable: nothing more will complete. Fail what is left.
                for (int slot = 0; slot < depth; slot++) {
                    Request r = requests[slot];
                    CompletableFuture<Object> f = r.future;
                    AioFile file = r.file;
                    if (f != null) {
                        r.clear();
                        if (file != null) {
                            file.endRequest();
                        }
                        f.completeExceptionally(closed);
                    }
                }
            }
            Pending p;
            while ((p = overflow.poll()) != null) {
                if (p.file != null) {
                    p.file.endRequest();
                }
                p.future.completeExceptionally(closed);
            }
            try {
                // io_destroy waits for anything still in flight, so the arena can be freed afterwards.
                KernelContexts.destroy(ctx);
            } catch (Throwable t) {
                outcome = outcome == null ? t : outcome;
            }
            if (wakeFd != null) {
                wakeFd.close();
            }
            if (completionFd != null) {
                completionFd.close();
            }
            arena.close();
        } catch (Throwable t) {
            outcome = outcome == null ? t : outcome;
        } finally {
            // Let threads blocked waiting for a slot see CLOSED and fail their request.
            permits.release(depth * 2);
            if (outcome != null) {
                terminated.completeExceptionally(outcome);
            } else {
                terminated.complete(null);
            }
        }
    }

    // ------------------------------------------------------------------------------------ close

    /**
     * Closes the context: new requests fail with {@link ClosedChannelException}; in-flight requests the
     * kernel can cancel (polls) are cancelled and fail with {@link AsynchronousCloseException}; the
     * others (reads, writes, syncs) complete normally. Then the kernel context is destroyed and the
     * native memory freed. Blocks until then, except when called from a completion callback, where the
     * same happens once the callback returns (in eventfd mode: at the next
     * {@link #processCompletions()}). Idempotent. Files opened on the context stay open and must be
     * closed separately.
     *
     * @throws AioException if io_destroy failed, or the completion collector failed (the cause)
     */
    @Override
    public void close() throws IOException {
        if (state.compareAndSet(OPEN, CLOSING)) {
            cancelInFlight();
            wakeReaper();
        }
        if (isCompletingThread()) {
            return;
        }
        if (reaper == null) {
            while (!terminated.isDone()) {
                collectOnCaller(CLOSING_POLL_NANOS);
            }
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    terminated.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException("kaio: the context's completion collector failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** io_cancel on every request in flight: polls end now, reads and writes are not cancellable. */
    private void cancelInFlight() {
        for (int slot = 0; slot < depth; slot++) {
            Request r = requests[slot];
            if (r.state.get() == INFLIGHT && r.opcode == Iocbs.CMD_POLL) {
                AioFuture<Object> f = r.future;
                if (f != null) {
                    cancelSlot(slot, f, true);
                }
            }
        }
    }

    /**
     * Makes the reaper return from io_getevents: an IOCB_CMD_POLL on a signalled eventfd completes at
     * once. Without POLL support the reaper waits with a timeout and notices the state by itself.
     */
    private void wakeReaper() {
        if (wakeFd == null) {
            return;
        }
        try {
            wakeFd.signal(1);
            Iocbs.prepare(iocbs, Iocbs.IOCB_SIZE * depth, Iocbs.CMD_POLL, wakeFd.fd(), PollEvents.POLLIN, 0, 0, WAKE_TAG,
                    0, 0, 0, (short) 0);
            try (Arena tmp = Arena.ofConfined()) {
                Syscalls.ioSubmit(Libc.errnoState(tmp), ctx, 1, iocbPtrs + PTR * depth);
            }
        } catch (AioException | IllegalStateException e) {
            // The reaper also polls with a short timeout while closing, so a failed wake-up only delays close.
        }
    }

    // ------------------------------------------------------------------------------------ errors

    static String opName(short opcode) {
        if (opcode == Iocbs.CMD_PREAD) {
            return "read";
        } else if (opcode == Iocbs.CMD_PWRITE) {
            return "write";
        } else if (opcode == Iocbs.CMD_PREADV) {
            return "readv";
        } else if (opcode == Iocbs.CMD_PWRITEV) {
            return "writev";
        } else if (opcode == Iocbs.CMD_FSYNC) {
            return "fsync";
        } else if (opcode == Iocbs.CMD_FDSYNC) {
            return "fdatasync";
        } else if (opcode == Iocbs.CMD_POLL) {
            return "poll";
        }
        return "opcode " + opcode;
    }

    private static String describe(Request r) {
        StringBuilder detail = new StringBuilder();
        if (r.opcode == Iocbs.CMD_POLL) {
            detail.append("fd ").append(r.fd).append(" for events 0x").append(Long.toHexString(r.position));
        } else if (r.opcode == Iocbs.CMD_FSYNC || r.opcode == Iocbs.CMD_FDSYNC) {
            detail.append("of ").append(r.file.path());
        } else {
            detail.append(r.length).append(" bytes at position ").append(r.position)
                    .append(r.opcode == Iocbs.CMD_PREAD || r.opcode == Iocbs.CMD_PREADV ? " of " : " to ")
                    .append(r.file.path());
            if (r.buffers instanceof List<?> list) {
                detail.append(" in ").append(list.size()).append(" segments");
            }
        }
        if (r.rwFlags != 0) {
            detail.append(" with flags ").append(IoOptions.NONE.withFlags(flagsOf(r.rwFlags)).flags());
        }
        if (r.ioprio != 0) {
            detail.append(" with ioprio class ").append(r.ioprio >> 13).append(" level ").append(r.ioprio & 7);
        }
        return detail.toString();
    }

    private static RwFlag[] flagsOf(int bits) {
        return java.util.Arrays.stream(RwFlag.values()).filter(f -> (bits & f.bits()) != 0).toArray(RwFlag[]::new);
    }

    /** Builds the exception for a failed request: built only on the error path. */
    private static AioException requestFailure(Request r, int errno, String operation) {
        AioFile file = r.file;
        StringBuilder detail = new StringBuilder();
        String op = opName(r.opcode);
        if (!operation.equals(op)) {
            detail.append(op).append(' ');
        }
        detail.append(describe(r));
        if (errno == Errno.EINVAL && file != null && file.isDirect() && r.opcode != Iocbs.CMD_FSYNC
                && r.opcode != Iocbs.CMD_FDSYNC) {
            String misaligned = misalignment(r, file.alignmentInfo());
            if (misaligned != null) {
                detail.append(" (O_DIRECT: ").append(misaligned).append(')');
            }
        } else if (errno == Errno.EBADF) {
            detail.append(" (fd ").append(r.fd).append(')');
        } else if (errno == Errno.EOPNOTSUPP && r.rwFlags != 0) {
            detail.append(" (the kernel or this filesystem does not support these flags)");
        } else if (errno == Errno.EINVAL && operation.equals("io_submit")
                && (r.opcode == Iocbs.CMD_FSYNC || r.opcode == Iocbs.CMD_FDSYNC || r.opcode == Iocbs.CMD_POLL)) {
            detail.append(" (IOCB_CMD_").append(r.opcode == Iocbs.CMD_POLL ? "POLL" : "FSYNC/FDSYNC")
                    .append(" needs Linux 4.18+, and a file that supports it)");
        }
        return new AioException(errno, operation, detail.toString());
    }

    private static String misalignment(Request r, DirectIoAlignment a) {
        if (r.position % a.offset() != 0) {
            return "position " + r.position + " is not a multiple of " + a.offset() + " (" + a.source() + ")";
        }
        List<?> segments = r.buffers instanceof MemorySegment s ? List.of(s)
                : r.buffers instanceof List<?> l ? l : List.of();
        for (int i = 0; i < segments.size(); i++) {
            MemorySegment s = (MemorySegment) segments.get(i);
            String which = segments.size() == 1 ? "buffer" : "segment " + i;
            if (s.address() % a.memory() != 0) {
                return which + " address 0x" + Long.toHexString(s.address()) + " is not a multiple of " + a.memory()
                        + " (" + a.source() + ")";
            }
            if (s.byteSize() % a.offset() != 0) {
                return which + " length " + s.byteSize() + " is not a multiple of " + a.offset() + " ("
                        + a.source() + ")";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "AioContext[ctx=0x" + Long.toHexString(ctx) + ", depth=" + depth + ", inFlight=" + inFlight()
                + (reaper == null ? ", eventfd" : "") + (isClosed() ? ", closed" : "") + "]";
    }

    /** The per-slot state of a request in flight; reused, owned by whoever holds the slot. */
    private static final class Request {
        final AtomicInteger state = new AtomicInteger(FREE);
        int generation;
        AioFuture<Object> future;
        AioFile file;
        Object buffers;      // keeps the segment(s) reachable until the kernel is done with them
        int fd;
        byte kind;
        short opcode;
        long position;       // for POLL: the events mask
        long length;
        int rwFlags;
        int ioprio;
        boolean retryWithoutNowait;
        volatile boolean cancelRequested;
        volatile boolean cancelledByClose;

        void clear() {
            future = null;
            file = null;
            buffers = null;
            generation++;
        }
    }

    /** A request on its way to a slot (or waiting in the overflow queue for one). */
    private record Pending(AioFile file, int fd, short opcode, byte kind, MemorySegment buffer,
            List<MemorySegment> vector, long position, long length, IoOptions options, AioFuture<Object> future) {}

    /**
     * The futures kaio returns: {@code cancel} asks the kernel (io_cancel). Dependent stages are plain
     * CompletableFutures.
     */
    static final class AioFuture<T> extends CompletableFuture<T> {
        static final int DIRECT = 0;
        static final int QUEUED = 1;
        static final int SUBMITTED = 2;
        static final int CANCELLED = 3;
        static final VarHandle PHASE;

        static {
            try {
                PHASE = MethodHandles.lookup().findVarHandle(AioFuture.class, "phase", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final AioContext context;
        volatile int phase;
        volatile int slot = -1;
        volatile int generation;

        AioFuture(AioContext context) {
            this.context = context;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (isDone() || !context.cancel(this)) {
                return false;
            }
            return super.cancel(mayInterruptIfRunning) || isCancelled();
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
