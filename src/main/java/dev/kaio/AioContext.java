package dev.kaio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.internal.linux.timespec;
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
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Linux kernel AIO context ({@code io_setup}) shared by any number of {@link AioFile}s and threads,
 * with a reaper thread that collects completions ({@code io_getevents}) and completes the futures.
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
 * the future and the buffers (which stay reachable until completion). A submitting thread takes a
 * free slot, fills the iocb and calls {@code io_submit} itself, so submissions from many threads
 * proceed in parallel without a hand-off. The slot index and a generation number travel in the
 * iocb's 64-bit {@code aio_data} and identify the request when its event comes back. One platform
 * daemon thread per context waits in {@code io_getevents} and completes futures; nothing polls.
 *
 * <h2>Back-pressure</h2>
 * When all {@link #queueDepth()} slots are in flight, a submitting thread waits for a free slot
 * (a virtual thread unmounts while it waits). Requests submitted from the reaper thread itself
 * (from completion callbacks) never wait: they are queued and submitted as soon as slots free up.
 * No request is dropped.
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
    private final EventFd wakeFd;               // null when IOCB_CMD_POLL is unavailable
    private final Thread reaper;

    // reaper-owned
    private final MemorySegment events;
    private final MemorySegment reaperErrno;
    private final MemorySegment timeout;
    private final ArrayDeque<Pending> overflow = new ArrayDeque<>();

    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private AioContext(int depth) throws IOException {
        this.depth = depth;
        this.arena = Arena.ofShared();
        EventFd efd = null;
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
            if (KernelFeatures.poll()) {
                efd = new EventFd(true);
            }
            wakeFd = efd;
            kernelCtx = KernelContexts.setup(depth + 1);
            ctx = kernelCtx;
            reaper = new Thread(this::reapLoop, "kaio-reaper-" + CONTEXT_NUMBERS.incrementAndGet());
            reaper.setDaemon(true);
            reaper.start();
        } catch (IOException | RuntimeException | Error e) {
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
     * Creates a context able to have {@code queueDepth} requests in flight at once.
     *
     * @throws AioException                  EAGAIN when {@code /proc/sys/fs/aio-max-nr} is exhausted
     *                                       (the message shows aio-nr and aio-max-nr), or another
     *                                       errno from io_setup
     * @throws IllegalArgumentException      if {@code queueDepth} is not in [1, {@value #MAX_QUEUE_DEPTH}]
     * @throws UnsupportedOperationException when native access is not enabled (the message names the
     *                                       flag) or the platform is not Linux x86_64
     */
    public static AioContext open(int queueDepth) throws IOException {
        if (queueDepth < 1 || queueDepth > MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("queueDepth must be in [1, " + MAX_QUEUE_DEPTH + "]: " + queueDepth);
        }
        NativeAccess.ensureEnabled();
        return new AioContext(queueDepth);
    }

    /** The number of requests that can be in flight at once. */
    public int queueDepth() {
        return depth;
    }

    /** Requests currently holding a slot (submitted and not yet completed). */
    public int inFlight() {
        return depth - permits.availablePermits();
    }

    /**
     * The kernel's {@code aio_context_t}, which is the address at which io_setup mapped this context's
     * completion ring (useful for diagnostics).
     */
    public long contextId() {
        return ctx;
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

    boolean isReaperThread() {
        return Thread.currentThread() == reaper;
    }

    // ------------------------------------------------------------------------------------ submit

    /**
     * Submits one request for {@code file}. Either {@code buffer} (plain read/write), {@code vector}
     * (PREADV/PWRITEV) or neither (FSYNC/FDSYNC) is given; arguments were validated by AioFile.
     */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> submit(AioFile file, short opcode, byte kind, MemorySegment buffer,
            List<MemorySegment> vector, long position, long length) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        if (!file.beginRequest()) {
            future.completeExceptionally(new ClosedChannelException());
            return (CompletableFuture<T>) future;
        }
        // From here on, file.endRequest() is called exactly once for this request.
        if (isReaperThread()) {
            if (!permits.tryAcquire()) {
                overflow.add(new Pending(file, opcode, kind, buffer, vector, position, length, future));
                return (CompletableFuture<T>) future;
            }
        } else {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                file.endRequest();
                future.completeExceptionally(new InterruptedIOException(
                        "interrupted while waiting for a free slot; the request was not submitted"));
                return (CompletableFuture<T>) future;
            }
        }
        submitWithPermit(file, opcode, kind, buffer, vector, position, length, future);
        return (CompletableFuture<T>) future;
    }

    private void submitWithPermit(AioFile file, short opcode, byte kind, MemorySegment buffer,
            List<MemorySegment> vector, long position, long length, CompletableFuture<Object> future) {
        if (state.get() != OPEN) {
            permits.release();
            file.endRequest();
            future.completeExceptionally(new ClosedChannelException());
            return;
        }
        int slot = freeSlots.pop(); // a permit guarantees a free slot
        Request r = requests[slot];
        r.future = future;
        r.kind = kind;
        r.file = file;
        r.buffers = buffer != null ? buffer : vector;
        r.opcode = opcode;
        r.position = position;
        r.length = length;
        long data = ((long) r.generation << 32) | slot;

        long bufAddress;
        long nbytes;
        boolean largeVector = false;
        if (vector != null) {
            int n = vector.size();
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
                MemorySegment s = vector.get(i);
                Iocbs.iovec(iov, iovOffset + Iocbs.IOVEC_SIZE * i, s.address(), s.byteSize());
            }
            bufAddress = iov.address() + iovOffset;
            nbytes = n;
        } else if (buffer != null) {
            bufAddress = buffer.address();
            nbytes = buffer.byteSize();
        } else {
            bufAddress = 0;
            nbytes = 0;
        }
        long ret;
        try {
            Iocbs.prepare(iocbs, Iocbs.IOCB_SIZE * slot, opcode, file.fd(), bufAddress, nbytes, position, data, 0, 0, 0, (short) 0);
            // Publish the request before the kernel can complete it (the reaper does an acquire fence).
            VarHandle.releaseFence();
            ret = submitOne(slot);
        } finally {
            if (largeVector) {
                largeIovecLock.unlock();
            }
        }
        if (ret != 1) {
            int errno = ret == 0 ? Errno.EAGAIN : (int) -ret;
            AioException failure = requestFailure(r, errno, "io_submit");
            releaseSlot(slot, r);
            file.endRequest();
            future.completeExceptionally(failure);
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
            if (ret == -Errno.EAGAIN && !isReaperThread() && ++eagains < 1000) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
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

    // ------------------------------------------------------------------------------------ reaper

    private void reapLoop() {
        Throwable failure = null;
        try {
            long eventsAddress = events.address();
            while (true) {
                boolean closing = state.get() != OPEN;
                long timeoutPtr;
                if (closing) {
                    timeoutPtr = setTimeout(CLOSING_POLL_NANOS);
                } else if (wakeFd == null) {
                    timeoutPtr = setTimeout(NO_POLL_WAKE_NANOS);
                } else {
                    timeoutPtr = 0; // wait without limit: close() wakes us with a POLL on wakeFd
                }
                long n = Syscalls.ioGetevents(reaperErrno, ctx, 1, depth + 1, eventsAddress, timeoutPtr);
                if (n == -Errno.EINTR) {
                    continue;
                }
                if (n < 0) {
                    throw new AioException((int) -n, "io_getevents", "context 0x" + Long.toHexString(ctx));
                }
                VarHandle.acquireFence();
                for (int i = 0; i < n; i++) {
                    complete(Iocbs.IO_EVENT_SIZE * i);
                }
                drainOverflow();
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

    private long setTimeout(long nanos) {
        timespec.tv_sec(timeout, nanos / 1_000_000_000L);
        timespec.tv_nsec(timeout, nanos % 1_000_000_000L);
        return timeout.address();
    }

    private void complete(long eventOffset) {
        long data = Iocbs.eventData(events, eventOffset);
        if (data == WAKE_TAG) {
            return;
        }
        long res = Iocbs.eventRes(events, eventOffset);
        int slot = (int) data;
        int generation = (int) (data >>> 32);
        if (slot < 0 || slot >= depth || requests[slot].generation != generation || requests[slot].future == null) {
            // Cannot happen unless memory is corrupted; never complete the wrong request.
            System.err.println("kaio: ignoring completion with unknown aio_data 0x" + Long.toHexString(data));
            return;
        }
        Request r = requests[slot];
        CompletableFuture<Object> future = r.future;
        AioFile file = r.file;
        byte kind = r.kind;
        AioException failure = res < 0 ? requestFailure(r, (int) -res, opName(r.opcode)) : null;
        releaseSlot(slot, r);
        file.endRequest();
        if (failure != null) {
            future.completeExceptionally(failure);
        } else if (kind == RESULT_INT) {
            future.complete((int) res);
        } else if (kind == RESULT_LONG) {
            future.complete(res);
        } else {
            future.complete(null);
        }
    }

    private void drainOverflow() {
        Pending p;
        while ((p = overflow.peek()) != null && permits.tryAcquire()) {
            overflow.poll();
            submitWithPermit(p.file, p.opcode, p.kind, p.buffer, p.vector, p.position, p.length, p.future);
        }
    }

    private void teardown(Throwable failure) {
        state.set(CLOSED);
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
                    if (f != null && file != null) {
                        r.clear();
                        file.endRequest();
                        f.completeExceptionally(closed);
                    }
                }
            }
            Pending p;
            while ((p = overflow.poll()) != null) {
                p.file.endRequest();
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
     * Closes the context: new requests fail with {@link ClosedChannelException}, requests in flight
     * complete (reads and writes cannot be cancelled by the kernel; they finish normally), then the
     * kernel context is destroyed and the native memory freed. Blocks until then, except when called
     * on the reaper thread (from a completion callback), where the same happens once the callback
     * returns. Idempotent. Files opened on the context stay open and must be closed separately.
     *
     * @throws AioException if io_destroy failed, or the reaper failed (the cause)
     */
    @Override
    public void close() throws IOException {
        if (state.compareAndSet(OPEN, CLOSING)) {
            wakeReaper();
        }
        if (isReaperThread()) {
            return;
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
                    throw new IOException("kaio: the context's reaper failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
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
            Iocbs.prepare(iocbs, Iocbs.IOCB_SIZE * depth, Iocbs.CMD_POLL, wakeFd.fd(), dev.kaio.internal.linux.LinuxH.POLLIN(), 0, 0,
                    WAKE_TAG, 0, 0, 0, (short) 0);
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

    /** Builds the exception for a failed request: built only on the error path. */
    private static AioException requestFailure(Request r, int errno, String operation) {
        AioFile file = r.file;
        StringBuilder detail = new StringBuilder();
        String op = opName(r.opcode);
        if (!operation.equals(op)) {
            detail.append(op).append(' ');
        }
        if (r.opcode == Iocbs.CMD_FSYNC || r.opcode == Iocbs.CMD_FDSYNC) {
            detail.append("of ").append(file.path());
        } else {
            detail.append(r.length).append(" bytes at position ").append(r.position)
                    .append(r.opcode == Iocbs.CMD_PREAD || r.opcode == Iocbs.CMD_PREADV ? " of " : " to ")
                    .append(file.path());
            if (r.buffers instanceof List<?> list) {
                detail.append(" in ").append(list.size()).append(" segments");
            }
        }
        if (errno == Errno.EINVAL && file.isDirect()) {
            String misaligned = misalignment(r, file.alignmentInfo());
            if (misaligned != null) {
                detail.append(" (O_DIRECT: ").append(misaligned).append(')');
            }
        } else if (errno == Errno.EBADF) {
            detail.append(" (fd ").append(file.fd()).append(')');
        }
        return new AioException(errno, operation, detail.toString());
    }

    private static String misalignment(Request r, DirectIoAlignment a) {
        if (r.position % a.offset() != 0) {
            return "position " + r.position + " is not a multiple of " + a.offset() + " (" + a.source() + ")";
        }
        List<MemorySegment> segments = r.buffers instanceof MemorySegment s ? List.of(s)
                : r.buffers instanceof List<?> l ? castSegments(l) : List.of();
        for (int i = 0; i < segments.size(); i++) {
            MemorySegment s = segments.get(i);
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

    @SuppressWarnings("unchecked")
    private static List<MemorySegment> castSegments(List<?> list) {
        return (List<MemorySegment>) list;
    }

    @Override
    public String toString() {
        return "AioContext[ctx=0x" + Long.toHexString(ctx) + ", depth=" + depth + ", inFlight=" + inFlight()
                + (isClosed() ? ", closed" : "") + "]";
    }

    /** The per-slot state of a request in flight; reused, owned by whoever holds the slot. */
    private static final class Request {
        int generation;
        CompletableFuture<Object> future;
        AioFile file;
        Object buffers;      // keeps the segment(s) reachable until completion
        byte kind;
        short opcode;
        long position;
        long length;

        void clear() {
            future = null;
            file = null;
            buffers = null;
            generation++;
        }
    }

    /** A request submitted from the reaper thread while every slot was busy. */
    private record Pending(AioFile file, short opcode, byte kind, MemorySegment buffer, List<MemorySegment> vector,
            long position, long length, CompletableFuture<Object> future) {}
}
