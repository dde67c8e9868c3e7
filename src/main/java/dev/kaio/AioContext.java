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

import dev.kaio.internal.core.CompletionSpin;
import dev.kaio.internal.core.Outcomes;
import dev.kaio.internal.core.Request;
import dev.kaio.internal.core.RequestEngine;
import dev.kaio.internal.core.RequestFuture;
import dev.kaio.internal.jfr.Tracing;
import dev.kaio.internal.sys.Iocbs;
import dev.kaio.internal.sys.LinuxKernel;
import dev.kaio.internal.sys.NativeAccess;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux kernel AIO context ({@code io_setup}) shared by any number of {@link AioFile}s and threads.
 *
 * {@snippet :
 * try (AioContext ctx = AioContext.open(128)) {     // up to 128 requests in flight
 *     AioFile file = AioFile.open(ctx, path, StandardOpenOption.READ, AioOpenOption.DIRECT);
 *     ...
 * }                                                 // waits for in-flight requests, then io_destroy
 * }
 *
 * <h2>Submitting</h2>
 * The context preallocates a <em>slot</em> per request it can have in flight (an iocb, a few iovecs,
 * an errno buffer). A submitting thread takes a free slot, fills its iocb and calls {@code io_submit}
 * itself, so submissions from many threads proceed in parallel without a hand-off. The slot index and
 * a generation number travel in the iocb's {@code aio_data}. When every slot is in flight, a
 * submitting thread waits for one (back-pressure; a virtual thread unmounts while it waits), except a
 * thread that is completing requests (a completion callback): its requests are queued and submitted
 * by the context's submitter thread as slots free up. That thread also submits a callback's buffered
 * reads and writes (which io_submit performs synchronously, and which would stall every completion
 * collected by that thread); a callback's O_DIRECT reads and writes, syncs and polls are submitted on
 * the callback's thread when a slot is free. No request is dropped.
 *
 * <h2>Completions: the waiting thread reaps</h2>
 * A platform thread that waits on a kaio future ({@code join}, {@code get}, also on a stage derived
 * from it with {@code thenApply} etc.) collects completions itself: it reads the kernel's completion
 * ring in user space (no system call) and completes what it finds, its own request and others'; while
 * its request is in flight it sleeps in {@code read(2)} on the request slot's eventfd, which the
 * kernel signals when that request completes (IOCB_FLAG_RESFD). One request in flight per thread thus
 * costs an io_submit and a read, with no hand-off between threads. (A thread is given this route for
 * its requests once it has waited on one, as long as it waits on each before submitting the next;
 * requests of threads that submit several before waiting take the next route.)
 *
 * <p>{@code get()} is interruptible: it throws {@link InterruptedException} when the waiting thread is
 * interrupted, at once if it was before, otherwise, for a read, write or sync (which the kernel cannot
 * abort), when that request completes, and for a poll within 10 ms. The request itself goes on.
 *
 * <p>Everything else (futures with callbacks, batches joined with {@code allOf}, requests of virtual
 * threads, which never block in the kernel) is completed by the context's reaper thread, which the
 * kernel wakes through an eventfd. While requests given the waiting thread's route are in flight it
 * also looks at the ring on a timer, so that one whose submitter ends up not waiting on it still
 * completes: every millisecond ({@code -Dkaio.reaperTickMicros}) while such a request has no thread
 * waiting on it, up to every 8 ms while each has one. Nobody blocks
 * in {@code io_getevents}. Futures complete on the thread that collects them: keep dependent actions
 * short, or use the {@code *Async} variants. {@link Options#forceSyscalls(boolean)} collects with
 * {@code io_getevents} instead of reading the ring.
 *
 * <p>With {@link Options#eventFd()} there is no reaper thread: every request carries IOCB_FLAG_RESFD to
 * {@link #eventFd()}, and the application collects completions from its own loop with
 * {@link #processCompletions()}; a platform thread that waits on a future collects them itself then,
 * waiting in {@code io_getevents} (one thread at a time).
 *
 * <h2>Lifecycle</h2>
 * Every request moves through one state machine (free, submitting, submitted, completed, free again),
 * each step one compare-and-set with one owner; the invariants (every future completes exactly once;
 * buffers are handed back only after the kernel returned the request's event or {@code io_destroy}
 * returned; {@code close()} returns once the kernel has finished or cancelled what it owns; no request
 * is submitted after close began, none queued is forgotten) are listed and argued in the engine,
 * {@code dev.kaio.internal.core.RequestEngine}.
 *
 * <h2>Cancellation</h2>
 * {@code cancel} on a future returned by kaio calls {@code io_cancel}. If the kernel cancels the
 * request (it can cancel {@link #poll(int, int)} requests) {@code cancel} returns true once the future
 * has completed cancelled; if it cannot (Linux cannot cancel reads and writes of files and block
 * devices once submitted), {@code cancel} returns false and the request completes normally. A request
 * still queued for a slot is withdrawn. Kaio's futures cannot be completed from outside
 * ({@code complete} throws): their buffers are in use until the kernel is done.
 *
 * <h2>Kernel resources</h2>
 * {@code open(n)} calls {@code io_setup(n)}. Each context counts against the system-wide
 * {@code /proc/sys/fs/aio-max-nr}; when that is exhausted {@code open} fails with an
 * {@link AioException} (EAGAIN) naming the sysctl and the numbers. Besides the kernel context a context
 * holds one eventfd, plus one per slot that has been used by a waiting thread (at most
 * {@link #queueDepth()}), all closed by {@link #close()}.
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
    static final int INLINE_IOVECS = LinuxKernel.INLINE_IOVECS;

    private static final int ECANCELED = 125;
    private static final int RWF_NOWAIT = 0x8;
    /** How often the reaper looks at the ring while requests are in flight (see the class comment). */
    private static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Long.getLong("kaio.reaperTickMicros", 1000L));

    private static final AtomicInteger CONTEXT_NUMBERS = new AtomicInteger();

    private final int depth;
    private final LinuxKernel kernel;
    private final RequestEngine engine;
    private final java.util.concurrent.Executor executor;   // where completions run; null: where collected
    private final Tracing.ContextSource stats;

    /**
     * How an {@link AioContext} collects completions. Defaults: a reaper thread for the requests no
     * thread waits on, reaping from the kernel's ring in user space when its header is valid (system
     * property {@code kaio.forceSyscalls=true} forces io_getevents).
     */
    public static final class Options {
        private boolean forceSyscalls = Boolean.getBoolean("kaio.forceSyscalls");
        private boolean eventFd;
        private java.util.concurrent.Executor completionExecutor;
        private long spinNanos = CompletionSpin.defaultBudgetNanos();

        private Options() {}

        /**
         * How long a platform thread that waits for its own request ({@code join}, {@code get}) watches
         * the completion ring before it sleeps. Watching costs CPU and saves the sleep and wake-up, which
         * on a fast device take as long as the I/O. kaio bounds it: at most one thread fewer than there
         * are processors watches at a time, in the whole JVM, and watching stops mostly when it keeps
         * finding nothing (a device slower than the budget). Off by default ({@code Duration.ZERO}),
         * or system property {@code kaio.spinMicros}: it helps only when completions are produced on
         * another CPU (an interrupt); when the kernel finishes the I/O in a worker on the waiter's own CPU
         * (a loop device), watching delays it until the budget is spent. Measure before turning it on;
         * 20 µs is a starting point. Virtual threads never watch.
         *
         * @param budget the longest watch per wait
         * @return these options
         * @throws IllegalArgumentException if {@code budget} is negative
         */
        public Options spinWait(java.time.Duration budget) {
            this.spinNanos = CompletionSpin.nanosOf(budget);
            return this;
        }

        /**
         * The defaults: a reaper thread, the completion ring read in user space, completions on the
         * collecting thread.
         *
         * @return new options
         */
        public static Options defaults() {
            return new Options();
        }

        /**
         * Collect completions only with io_getevents, never from the ring in user space.
         *
         * @param force true to never read the ring
         * @return these options
         */
        public Options forceSyscalls(boolean force) {
            this.forceSyscalls = force;
            return this;
        }

        /**
         * No reaper thread: every request carries IOCB_FLAG_RESFD, the kernel adds 1 to the context's
         * eventfd per completion, and the application collects completions with
         * {@link AioContext#processCompletions()} when {@link AioContext#eventFd()} is readable.
         *
         * @return these options
         */
        public Options eventFd() {
            this.eventFd = true;
            return this;
        }

        /**
         * Complete every future (and call every {@link AioHandler}) on {@code executor} instead of the
         * thread that collected the completion, so that dependent actions that take time (a lock, a log
         * write) do not hold up the other completions of the context. {@link IoOptions#completeOn}
         * overrides it per request. If the executor rejects a task, that completion runs on the
         * collecting thread. {@link AioContext#close()} waits until the executor has run every
         * completion, so the executor must outlive the context.
         *
         * {@snippet :
         * ExecutorService completions = Executors.newFixedThreadPool(2);
         * AioContext ctx = AioContext.open(64, AioContext.Options.defaults().completionExecutor(completions));
         * }
         *
         * @param executor where completions run
         * @return these options
         */
        public Options completionExecutor(java.util.concurrent.Executor executor) {
            this.completionExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }
    }

    private AioContext(int depth, Options options) throws IOException {
        this.depth = depth;
        LinuxKernel k = LinuxKernel.open(depth, !options.forceSyscalls);
        try {
            int fd = k.createEventFd();
            if (fd < 0) {
                throw new AioException(-fd, "eventfd", "the context's "
                        + (options.eventFd ? "completion eventfd" : "reaper eventfd"));
            }
            this.kernel = k;
            this.engine = new RequestEngine(k, depth, new RequestOutcomes(), !options.eventFd, fd, TICK_NANOS,
                    String.valueOf(CONTEXT_NUMBERS.incrementAndGet()), CompletionSpin.of(options.spinNanos));
            if (options.eventFd) {
                Abandoned.CLEANER.register(this, engine::abandoned);
            }
            this.executor = options.completionExecutor;
            this.stats = new Tracing.ContextSource() {
                public long contextId() {
                    return k.contextId();
                }

                public int queueDepth() {
                    return depth;
                }

                public int inFlight() {
                    return engine.inFlight();
                }

                public long ringCompletions() {
                    return k.ringEvents();
                }

                public long syscallCompletions() {
                    return k.syscallEvents();
                }

                public boolean reaperThread() {
                    return engine.hasReaperThread();
                }
            };
            Tracing.register(stats);
        } catch (IOException | RuntimeException | Error e) {
            if (k.destroy() == 0) {
                k.release();
            }
            throw e;
        }
    }

    /**
     * Creates a context able to have {@code queueDepth} requests in flight at once, with a reaper
     * thread.
     *
     * @param queueDepth the number of requests that can be in flight at once
     * @return the context
     * @throws AioException                  EAGAIN when {@code /proc/sys/fs/aio-max-nr} is exhausted
     *                                       (the message shows aio-nr and aio-max-nr), or another errno
     *                                       from io_setup
     * @throws IOException                   if the context's eventfd cannot be created
     * @throws IllegalArgumentException      if {@code queueDepth} is not in [1, {@value #MAX_QUEUE_DEPTH}]
     * @throws UnsupportedOperationException when native access is not enabled (the message names the
     *                                       flag) or the platform is not supported
     */
    public static AioContext open(int queueDepth) throws IOException {
        return open(queueDepth, Options.defaults());
    }

    /**
     * Creates a context set up as {@code options} say.
     *
     * @param queueDepth the number of requests that can be in flight at once
     * @param options    how completions are collected
     * @return the context
     * @throws IOException as {@link #open(int)}
     */
    public static AioContext open(int queueDepth, Options options) throws IOException {
        if (queueDepth < 1 || queueDepth > MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("queueDepth must be in [1, " + MAX_QUEUE_DEPTH + "]: " + queueDepth);
        }
        Objects.requireNonNull(options, "options");
        NativeAccess.ensureEnabled();
        return new AioContext(queueDepth, options);
    }

    /**
     * The number of requests that can be in flight at once.
     *
     * @return the queue depth
     */
    public int queueDepth() {
        return depth;
    }

    /**
     * Requests currently holding a slot (submitted and not yet completed).
     *
     * @return how many
     */
    public int inFlight() {
        return engine.inFlight();
    }

    /**
     * The kernel's {@code aio_context_t}, which is the address at which io_setup mapped this context's
     * completion ring (useful for diagnostics).
     *
     * @return the context id
     */
    public long contextId() {
        return kernel.contextId();
    }

    /**
     * True if completions are read from the kernel's ring in user space when available.
     *
     * @return whether the ring is read in user space
     */
    public boolean reapsFromRing() {
        return kernel.reapsFromRing();
    }

    /**
     * Completions collected from the ring in user space so far.
     *
     * @return the count
     */
    public long ringCompletions() {
        return kernel.ringEvents();
    }

    /**
     * Completions collected with io_getevents so far.
     *
     * @return the count
     */
    public long syscallCompletions() {
        return kernel.syscallEvents();
    }

    /**
     * The eventfd the kernel signals once per completion, for contexts opened with
     * {@link Options#eventFd()}; -1 for a context with a reaper thread, and once the eventfd is closed.
     * It is a blocking eventfd: a thread may park in read(2) on it, or an event loop may poll it for
     * POLLIN; either way, read its 8 bytes (the number of completions signalled since the last read) and
     * then call {@link #processCompletions()}.
     *
     * <p><b>End of the loop.</b> {@link #close()} signals the eventfd, so a loop blocked on it wakes up;
     * {@link #processCompletions()} (or {@link #awaitCompletions}) then returns -1, which tells the loop to
     * stop: from then on the loop must not use the descriptor. Once this method has handed out the
     * number, the eventfd is closed by that first -1 return, never under a loop that may still read
     * it: so after {@code close()}, call {@code processCompletions()} once from the loop (it returns -1).
     * If this method was never called, {@code close()} closes the eventfd itself. (A context dropped
     * without that acknowledgement has its eventfd closed when it is garbage-collected.)
     *
     * @return the eventfd, or -1
     */
    public int eventFd() {
        return engine.applicationEventFd();
    }

    /**
     * True once {@link #close()} has been called.
     *
     * @return whether closing has begun
     */
    public boolean isClosed() {
        return engine.isClosed();
    }

    void ensureOpen() throws ClosedChannelException {
        if (engine.isClosed()) {
            throw new ClosedChannelException();
        }
    }

    /** True on a thread that is completing requests (running completion callbacks), and on the reaper. */
    boolean isCompletingThread() {
        return engine.isCompletingThread();
    }

    // ------------------------------------------------------------------------------------ submit

    /** The caller thread's request description, reused: the engine copies it during submit. */
    private static final class Spec {
        final Request request = new Request();
        boolean busy;   // a callback run during a submission submits again: it gets a fresh one
    }

    private static final ThreadLocal<Spec> SPECS = ThreadLocal.withInitial(Spec::new);

    /**
     * Submits one request for {@code file} (null for a poll). Either {@code buffer} (plain read/write),
     * {@code vector} (PREADV/PWRITEV) or neither (FSYNC/FDSYNC/POLL) is given; arguments were
     * validated by the caller.
     */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> submit(AioFile file, int fd, short opcode, byte kind, MemorySegment buffer,
            List<MemorySegment> vector, long position, long length, IoOptions options) {
        if (file != null && !file.beginRequest()) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        return (CompletableFuture<T>) submitCounted(file, fd, opcode, kind, buffer, vector, position, length, options);
    }

    /**
     * {@link #submit} with the future an adapter made ({@link #engine()}), and a buffer that is a
     * {@code MemorySegment} or a direct {@code ByteBuffer} (then {@code bufferAddress} is where its
     * bytes start, computed once by the adapter, so that no segment is made per request). Waiting for
     * a free slot ignores interrupts, as the NIO channel's operations do.
     */
    <T> void submitWith(RequestFuture<T> future, AioFile file, short opcode, byte kind, Object buffer,
            long bufferAddress, long position, long length, IoOptions options) {
        if (!file.beginRequest()) {
            engine.abandon(new Request(), future, new ClosedChannelException());
            return;
        }
        Spec holder = SPECS.get();
        Request spec = holder.busy ? new Request() : holder.request;
        holder.busy = true;
        try {
            describe(spec, file, file.fd(), opcode, kind, buffer, position, length, options);
            spec.bufferAddress = bufferAddress;
            spec.bufferLength = length;
            spec.uninterruptible = true; // the NIO channel's operations are not interruptible
            engine.submit(spec, future); // ends the request exactly once (RequestOutcomes.ended)
        } finally {
            spec.clear();
            if (spec == holder.request) {
                holder.busy = false;
            }
        }
    }

    RequestEngine engine() {
        return engine;
    }

    private RequestFuture<?> submitCounted(AioFile file, int fd, short opcode, byte kind, MemorySegment buffer,
            List<MemorySegment> vector, long position, long length, IoOptions options) {
        Spec holder = SPECS.get();
        Request spec = holder.busy ? new Request() : holder.request;
        holder.busy = true;
        try {
            describe(spec, file, fd, opcode, kind, buffer != null ? buffer : vector, position, length, options);
            return engine.submit(spec); // ends the request exactly once (RequestOutcomes.ended)
        } finally {
            spec.clear();
            if (spec == holder.request) {
                holder.busy = false;
            }
        }
    }

    /** {@link #submit} with a handler and its attachment instead of a future: allocates nothing. */
    <A> void submit(AioFile file, int fd, short opcode, byte kind, MemorySegment buffer, List<MemorySegment> vector,
            long position, long length, IoOptions options, A attachment, AioHandler<? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        if (file != null && !file.beginRequest()) {
            handler.failed(new ClosedChannelException(), attachment);
            return;
        }
        Spec holder = SPECS.get();
        Request spec = holder.busy ? new Request() : holder.request;
        holder.busy = true;
        try {
            describe(spec, file, fd, opcode, kind, buffer != null ? buffer : vector, position, length, options);
            spec.handler = handler;
            spec.attachment = attachment;
            engine.submit(spec);
        } finally {
            spec.clear();
            if (spec == holder.request) {
                holder.busy = false;
            }
        }
    }

    /**
     * Fills {@code spec}; counts the request in on pool buffers (throwing, with the file's count undone,
     * if one belongs to a closed lease) and starts its JFR event.
     */
    private void describe(Request spec, AioFile file, int fd, short opcode, byte kind, Object buffers,
            long position, long length, IoOptions options) {
        try {
            BufferPool.enterRequest(buffers);
        } catch (RuntimeException e) {
            if (file != null) {
                file.endRequest();
            }
            throw e;
        }
        int rwFlags = options.rwFlags();
        spec.owner = file;
        spec.fd = fd;
        spec.opcode = opcode;
        spec.kind = kind;
        spec.buffers = buffers;
        spec.position = position;
        spec.length = length;
        spec.rwFlags = rwFlags;
        spec.ioprio = options.priority() != null ? options.priority().value() : 0;
        spec.retryWithoutNowait = options.retriesWithoutNowait();
        // Buffered reads and writes are done by io_submit itself: a completing thread must not make them.
        spec.mayBlock = file != null && !file.isDirect() && (rwFlags & RWF_NOWAIT) == 0
                && opcode != Iocbs.CMD_FSYNC && opcode != Iocbs.CMD_FDSYNC;
        spec.executor = options.completionExecutor() != null ? options.completionExecutor() : executor;
        spec.trace = Tracing.start(opName(opcode), file != null ? file.path() : null, fd, position, length);
    }

    /**
     * Creates a batch: requests prepared by one thread (on any files of this context) and submitted
     * together with one io_submit (see {@link AioBatch}).
     *
     * @return an empty batch
     */
    public AioBatch newBatch() {
        return new AioBatch(this);
    }

    <T> RequestFuture<T> newFuture(AioFile file) {
        return engine.newFuture(file);
    }

    /**
     * Submits the requests a batch prepared (counting them in on their files first; a closed file's
     * request fails alone), with one io_submit where the free slots allow.
     */
    void submitAll(Request[] specs, RequestFuture<?>[] futures, int n) {
        int kept = 0;
        for (int i = 0; i < n; i++) {
            Request spec = specs[i];
            AioFile file = (AioFile) spec.owner;
            boolean begun = file == null || file.beginRequest();
            if (begun) {
                try {
                    BufferPool.enterRequest(spec.buffers);
                } catch (RuntimeException e) {
                    if (file != null) {
                        file.endRequest();
                    }
                    spec.owner = null;
                    spec.buffers = null; // counted in on no pool (enterRequest undid itself)
                    engine.abandon(spec, futures[i], e);
                    continue;
                }
            } else {
                spec.owner = null; // not counted in: nothing to end
                spec.buffers = null;
                engine.abandon(spec, futures[i], new ClosedChannelException());
                continue;
            }
            spec.trace = Tracing.start(opName(spec.opcode), file != null ? file.path() : null, spec.fd, spec.position,
                    spec.length);
            specs[kept] = spec;
            futures[kept] = futures[i];
            kept++;
        }
        engine.submitAll(specs, futures, kept);
    }

    /** Ends a prepared request of a batch that is never submitted. */
    void abandon(Request spec, RequestFuture<?> f, Throwable why) {
        spec.owner = null; // never counted in on its file
        spec.buffers = null;
        engine.abandon(spec, f, why);
    }

    /** Fills a batch entry's description (not yet counted in: {@link #submitAll} does that). */
    void describeForBatch(Request spec, AioFile file, int fd, short opcode, byte kind, Object buffers, long position,
            long length, IoOptions options) {
        int rwFlags = options.rwFlags();
        spec.owner = file;
        spec.fd = fd;
        spec.opcode = opcode;
        spec.kind = kind;
        spec.buffers = buffers;
        spec.position = position;
        spec.length = length;
        spec.rwFlags = rwFlags;
        spec.ioprio = options.priority() != null ? options.priority().value() : 0;
        spec.retryWithoutNowait = options.retriesWithoutNowait();
        spec.mayBlock = file != null && !file.isDirect() && (rwFlags & RWF_NOWAIT) == 0
                && opcode != Iocbs.CMD_FSYNC && opcode != Iocbs.CMD_FDSYNC;
        spec.executor = options.completionExecutor() != null ? options.completionExecutor() : executor;
    }

    // ------------------------------------------------------------------------------------ poll

    /**
     * Waits asynchronously (IOCB_CMD_POLL, Linux 4.18+) until {@code fd} is ready for any of
     * {@code events} ({@link PollEvents}); completes with the ready mask. Works on pipes, sockets,
     * eventfds, terminals; a regular file is always ready. Cancellable: {@code cancel} on the future
     * calls io_cancel, which the kernel honours for polls. The caller keeps {@code fd} open until the
     * future completes.
     *
     * @param fd     the descriptor to poll
     * @param events the {@link PollEvents} to wait for
     * @return the ready mask, when ready
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

    // ------------------------------------------------------------------------------------ eventfd mode

    /**
     * Eventfd mode: completes the futures of every request that has completed, on the calling thread,
     * without waiting. Call it when {@link #eventFd()} is readable (after reading it) or periodically.
     * Calls from a completion callback return 0. After {@link #close()} it returns -1 (see
     * {@link #eventFd()}: the loop must then stop using the eventfd); it is harmless to call it again.
     *
     * @return how many requests it completed, or -1 once the context is closed
     * @throws IllegalStateException for a context with a reaper thread
     */
    public int processCompletions() {
        return engine.collect(0);
    }

    /**
     * Eventfd mode: like {@link #processCompletions()}, but if nothing has completed, waits up to
     * {@code timeout} for at least one completion.
     *
     * @param timeout how long to wait at most
     * @param unit    its unit
     * @return how many requests it completed, or -1 once the context is closed
     * @throws IllegalStateException for a context with a reaper thread
     */
    public int awaitCompletions(long timeout, TimeUnit unit) {
        long nanos = unit.toNanos(timeout);
        return engine.collect(nanos <= 0 ? 0 : nanos);
    }

    // ------------------------------------------------------------------------------------ close

    /**
     * Closes the context: new requests fail with {@link ClosedChannelException}; requests still queued
     * for a slot, and in-flight requests the kernel can cancel (polls), fail with
     * {@link AsynchronousCloseException}; the others (reads, writes, syncs) complete normally. Then the
     * kernel context is destroyed and the native memory freed. Blocks until then, except when called
     * from a completion callback, where the same happens once the callback returns. Idempotent. Files
     * opened on the context stay open and must be closed separately.
     *
     * @throws AioException if io_destroy failed
     * @throws IOException  if collecting completions failed (the cause says why)
     */
    @Override
    public void close() throws IOException {
        try {
            engine.close();
        } finally {
            if (engine.termination().isDone()) {
                Tracing.unregister(stats);
            }
        }
    }

    // ------------------------------------------------------------------------------------ outcomes

    /** Created on first use: only eventfd-mode contexts need a cleaner thread. */
    private static final class Abandoned {
        static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
    }

    /** How requests end, for files and polls: results, exceptions with the details, the file's count. */
    private static final class RequestOutcomes implements Outcomes {

        @Override
        public Throwable refused(Request r, int errno) {
            return requestFailure(r, errno, "io_submit");
        }

        @Override
        public Throwable failure(Request r, long res, boolean cancelRequested, boolean byClose, boolean closing) {
            // A poll cancelled by io_cancel completes with an empty mask (Linux 4.19+), other kinds with ECANCELED.
            boolean cancelled = cancelRequested && (res == -ECANCELED || (res == 0 && r.opcode == Iocbs.CMD_POLL));
            if (cancelled) {
                return byClose ? new AsynchronousCloseException() : new CancellationException("cancelled by io_cancel");
            }
            if (res >= 0) {
                return null;
            }
            if (res == -ECANCELED && closing) {
                return new AsynchronousCloseException();
            }
            if (res == -Errno.EAGAIN && (r.rwFlags & RWF_NOWAIT) != 0) {
                return new WouldBlockException(opName(r.opcode), describe(r));
            }
            return requestFailure(r, (int) -res, opName(r.opcode));
        }

        @Override
        public Object value(byte kind, long res) {
            if (kind == RESULT_INT) {
                return boxed((int) res);
            } else if (kind == RESULT_LONG) {
                return res;
            }
            return null;
        }

        @Override
        public boolean retryWithoutNowait(Request r, long res) {
            if (res == -Errno.EAGAIN && (r.rwFlags & RWF_NOWAIT) != 0 && r.retryWithoutNowait) {
                r.rwFlags &= ~RWF_NOWAIT; // RWF_NOWAIT would have blocked: submit it again, blocking this time
                return true;
            }
            return false;
        }

        @Override
        public boolean cancelOnClose(Request r) {
            return r.opcode == Iocbs.CMD_POLL;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void handle(Object handler, Object attachment, long result, Throwable failure) {
            AioHandler<Object> h = (AioHandler<Object>) handler;
            if (failure != null) {
                h.failed(failure, attachment);
            } else {
                h.completed(result, attachment);
            }
        }

        @Override
        public void buffersDone(Object buffers) {
            BufferPool.exitRequest(buffers); // the kernel is done with them: their lease may go back
        }

        @Override
        public void ended(Object owner, Object buffers, Object trace, long result) {
            Tracing.end(trace, result);
            if (owner instanceof AioFile file) {
                file.endRequest(); // last: AioFile.close() waits for this, so the callbacks that ran are done
            }
        }
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
            detail.append("of ").append(((AioFile) r.owner).path());
        } else {
            detail.append(r.length).append(" bytes at position ").append(r.position)
                    .append(r.opcode == Iocbs.CMD_PREAD || r.opcode == Iocbs.CMD_PREADV ? " of " : " to ")
                    .append(((AioFile) r.owner).path());
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
        AioFile file = r.owner instanceof AioFile f ? f : null;
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
                : r.buffers instanceof java.nio.ByteBuffer
                        ? List.of(MemorySegment.ofAddress(r.bufferAddress).reinterpret(r.bufferLength))
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
        return "AioContext[ctx=0x" + Long.toHexString(contextId()) + ", depth=" + depth + ", inFlight=" + inFlight()
                + (engine.hasReaperThread() ? "" : ", eventfd") + (isClosed() ? ", closed" : "") + "]";
    }
}
