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

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The submission and completion engine behind {@code AioContext}: a fixed set of request slots, one
 * lifecycle per request, and the rules for who reaps completions. Plain Java: everything it asks of
 * the kernel goes through a {@link Kernel}, so that tests can drive it with a fake kernel under a
 * controlled-concurrency tool.
 *
 * <h2>A request's lifecycle</h2>
 * Each slot has one state word (an {@link AtomicLongArray} entry): a generation number, a phase, and
 * flags. Every change is one compare-and-set, and each transition has one owner:
 * <pre>
 *   FREE(g) --submitter pops the slot--> SUBMITTING(g) --io_submit took it, submitter--> SUBMITTED(g)
 *   SUBMITTING(g) --io_submit refused it, submitter--------------------------------> FREE(g+1)
 *   SUBMITTING(g) or SUBMITTED(g) --its event reaped, the reap-lock holder--> COMPLETED(g)
 *   COMPLETED(g) --the thread that reaped it, after reading the request--> FREE(g+1), or DONE(g)
 *   DONE(g) --the last holder (canceller, waiter) lets go--> FREE(g+1)
 * </pre>
 * Flags: PINNED (a thread is in io_cancel with the slot's iocb: the slot must not be reused under it),
 * CLAIMED (a thread waits on the slot's eventfd), CANCEL_REQUESTED / CANCEL_BY_CLOSE (io_cancel was
 * asked for, and by whom), SLOT_ROUTED (the kernel signals the slot's eventfd when the request
 * completes). A slot with PINNED or CLAIMED set is not freed; whoever clears the last of them frees it.
 * The generation travels in the iocb's aio_data with the slot index, so that a late event, a late
 * io_cancel or a late waiter can never act on the slot's next request.
 *
 * <p>The context itself has a gate word: OPEN, CLOSING or TERMINATED, plus the number of threads inside
 * io_submit or io_cancel. A submitter enters only while OPEN, a canceller until TERMINATED; teardown
 * happens only at CLOSING with nobody inside, no slot in use and no completion being delivered.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>Every future completes exactly once: by the thread that reaped its event (which owns the
 *       COMPLETED slot), by its submitter when io_submit refused it, by whoever withdraws it before
 *       submission (cancel, close; a CAS on the future's place), or by teardown after a failure, for
 *       the requests no event will come for.</li>
 *   <li>A request's buffers are handed back (counted out of their pool, then its future completed, in
 *       that order) only after the kernel returned its event, refused it, never got it, or
 *       {@code io_destroy} returned.</li>
 *   <li>A slot's iocb is reused only when no thread is in io_cancel with it, no thread waits on its
 *       eventfd, and the generation has moved on.</li>
 *   <li>No request is submitted once close has begun (the gate), and no queued request is forgotten:
 *       close withdraws the queue, and a request queued after that is withdrawn by its enqueuer.</li>
 *   <li>close() returns in bounded time once the kernel has finished or cancelled what it owns:
 *       polls are cancelled (the scan is repeated until nothing is submitting, so a poll submitted
 *       during close is cancelled too), and the closing loop runs on a timer, so no wake-up can be
 *       lost. After close() returns, every future has completed and no thread of the engine is
 *       blocked.</li>
 * </ol>
 *
 * <h2>Who reaps: the waiting thread</h2>
 * Completions are read from the kernel (from the completion ring in user space, or io_getevents with a
 * zero timeout) by whoever holds the reap lock, which is held only to move events into slots, never
 * while waiting and never while completing futures; the holder then completes those futures, its own
 * and others'. Then:
 * <ul>
 *   <li>A platform thread that waits on a request it can wait for itself (it submitted it, and it
 *       usually waits on what it submits) finds its request's completion signalled on the slot's own
 *       eventfd (IOCB_FLAG_RESFD): it blocks in read(2) on it and, woken by the kernel, reaps. One
 *       request in flight per thread thus costs io_submit, read and a look at the ring, with no thread
 *       hand-off, like fio's libaio engine.</li>
 *   <li>Every other request signals the reaper's eventfd, and the reaper thread completes it (callbacks,
 *       batches joined with {@code allOf}, virtual threads, which never block in the kernel).</li>
 *   <li>The reaper also wakes on a timer while requests routed to slot eventfds are in flight, so that
 *       one that nobody ends up waiting on still completes: every {@code tickNanos} while such a request
 *       has no waiter, and less often (the tick doubles, up to {@code MAX_TICK_FACTOR} times) while
 *       each has its waiter, who reaps it; a tick that finds one without a waiter goes back to
 *       {@code tickNanos}. With no routed request in flight the reaper waits without a timer (every
 *       completion signals its eventfd), so a context busy with callbacks, or holding a poll for hours,
 *       costs no timer wake-ups, and one thread per context waiting on its own reads costs a few a
 *       second instead of one per tick (on a shared CPU those wake-ups showed in the p99).</li>
 * </ul>
 * Nobody ever blocks in io_getevents in this mode. In eventfd mode (no reaper thread, one application
 * eventfd signalled per completion) a waiting platform thread may hold the reap lock while it waits in
 * io_getevents; it is the only thread in io_getevents, since the lock is exclusive.
 *
 * <h2>Submissions on completing threads</h2>
 * A thread that is completing requests must not wait for a free slot (it may be the one that would
 * free it), nor stall in io_submit; its requests go to a queue that a submitter thread (started on
 * first use) drains, waiting for slots like any other submitter. RWF_NOWAIT requests that the kernel
 * refused with EAGAIN are submitted again (blocking) by that thread too, never by the thread that
 * reaps. The only io_submit made on a completing thread is the one a completion callback asks for
 * itself, when a slot is free and io_submit does not do the I/O synchronously (O_DIRECT reads and
 * writes, syncs, polls, RWF_NOWAIT requests: the submitter says so with {@code mayBlock}).
 */
public final class RequestEngine implements Kernel.EventSink {

    // ------------------------------------------------------------------ slot state word
    private static final long PHASE = 0x7L;
    static final int FREE = 0;
    static final int SUBMITTING = 1;
    static final int SUBMITTED = 2;
    static final int COMPLETED = 3;
    static final int DONE = 4;
    static final long PINNED = 1L << 3;
    static final long CLAIMED = 1L << 4;
    static final long CANCEL_REQUESTED = 1L << 5;
    static final long CANCEL_BY_CLOSE = 1L << 6;
    static final long SLOT_ROUTED = 1L << 7;
    private static final long HOLDS = PINNED | CLAIMED;

    // ------------------------------------------------------------------ gate word
    private static final long OPEN = 0;
    private static final long CLOSING = 1;
    private static final long TERMINATED = 2;
    private static final long GATE_PHASE = 3;
    private static final long TICKET = 4;
    /** The reaper's timer grows up to this many ticks while every routed request has its waiter. */
    static final int MAX_TICK_FACTOR = 8;

    private static final int EINTR = 4;
    private static final int EINPROGRESS = 115;

    /** A thread waiting with get() looks at its interrupt status at least this often. */
    private static final long INTERRUPT_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long NO_DEADLINE = 0L;

    private static final System.Logger LOG = System.getLogger("dev.kaio");
    private static final ThreadLocal<ThreadState> THREADS = ThreadLocal.withInitial(ThreadState::new);

    /** What the engine remembers per thread. */
    private static final class ThreadState {
        int completing;                 // > 0 while this thread completes futures (runs callbacks)
        boolean waits;                  // this thread waits on requests (join/get): route its next one to a slot eventfd
        RequestFuture<?> lastRouted;    // its last request routed to a slot eventfd
    }

    private final Kernel kernel;
    private final Outcomes outcomes;
    private final int depth;
    private final boolean reaperMode;
    private final int controlFd;          // reaper mode: the reaper's eventfd; eventfd mode: the application's
    private final long tickNanos;
    private final String name;
    private final CompletionSpin spin;    // a platform thread waiting on its slot watches the ring first

    private final AtomicLongArray slots;
    private final Request[] requests;
    private final int[] slotFds;          // slot eventfds, created on first use; -1: none yet
    private final SlotPool freeSlots;
    private final AtomicLong gate = new AtomicLong(OPEN);
    private final AtomicInteger finishing = new AtomicInteger(); // completions being delivered outside the gate

    private final ReentrantLock reapLock = new ReentrantLock();
    private final AtomicBoolean reapAgain = new AtomicBoolean(); // eventfd mode: someone asked for another reap
    private boolean reapDead;             // under reapLock: the kernel context is gone
    private int stagedHead = -1;          // under reapLock: events moved into slots, not yet handed out
    private int stagedTail = -1;

    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Thread> submitter = new AtomicReference<>();
    private final Thread reaper;
    private volatile boolean reaperUntimed; // the reaper waits for its eventfd without a timer
    private long lastTickMark = -1;         // reaper thread only: the unreaped mark at the last tick
    private long reaperTick;                // reaper thread only: its timer now, tickNanos..MAX_TICK_FACTOR x

    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean fdHandedOut; // eventfd mode: the application asked for the eventfd's number
    private final AtomicBoolean controlFdClosed = new AtomicBoolean();

    /**
     * An engine of {@code depth} slots over {@code kernel}. With {@code reaperThread}, {@code controlFd}
     * is the reaper's eventfd and a reaper thread is started; otherwise (eventfd mode) it is the
     * application's eventfd, which every request signals. The engine closes {@code controlFd}.
     */
    public RequestEngine(Kernel kernel, int depth, Outcomes outcomes, boolean reaperThread, int controlFd,
            long tickNanos, String name) {
        this(kernel, depth, outcomes, reaperThread, controlFd, tickNanos, name, CompletionSpin.of(0));
    }

    /**
     * As above; a platform thread that waits for its own request watches the completion ring first as
     * {@code spin} allows (only when the kernel port reads the ring in user space).
     */
    public RequestEngine(Kernel kernel, int depth, Outcomes outcomes, boolean reaperThread, int controlFd,
            long tickNanos, String name, CompletionSpin spin) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth " + depth);
        }
        this.kernel = kernel;
        this.outcomes = outcomes;
        this.depth = depth;
        this.reaperMode = reaperThread;
        this.controlFd = controlFd;
        this.tickNanos = tickNanos;
        this.reaperTick = tickNanos;
        this.name = name;
        this.spin = java.util.Objects.requireNonNull(spin, "spin");
        this.slots = new AtomicLongArray(depth);
        this.requests = new Request[depth];
        this.slotFds = new int[depth];
        for (int i = 0; i < depth; i++) {
            requests[i] = new Request();
            slotFds[i] = -1;
        }
        this.freeSlots = new SlotPool(depth);
        if (reaperThread) {
            reaper = new Thread(this::reaperLoop, "kaio-reaper-" + name);
            reaper.setDaemon(true);
            reaper.start();
        } else {
            reaper = null;
        }
    }

    static int phase(long w) {
        return (int) (w & PHASE);
    }

    static int generation(long w) {
        return (int) (w >>> 32);
    }

    private static long word(int generation, int phase, long flags) {
        return ((long) generation << 32) | flags | phase;
    }

    private static long userData(int slot, int generation) {
        return ((long) generation << 32) | slot;
    }

    // ------------------------------------------------------------------ queries

    public int depth() {
        return depth;
    }

    /**
     * Whether a request routed to its slot's eventfd is with the kernel (being submitted or submitted,
     * not reaped): {@code unwaited}, only one that no thread is waiting on (no CLAIMED). Reads every
     * slot's word, so the reaper calls it only when its timer fired or it is about to wait without one,
     * not after every signal.
     */
    private boolean routedInFlight(boolean unwaited) {
        if (inFlight() == 0) {
            return false; // a submitter takes its slot before it marks it routed
        }
        for (int slot = 0; slot < depth; slot++) {
            long w = slots.get(slot);
            int p = phase(w);
            if ((p == SUBMITTING || p == SUBMITTED) && (w & SLOT_ROUTED) != 0
                    && (!unwaited || (w & CLAIMED) == 0)) {
                return true;
            }
        }
        return false;
    }

    /** Requests holding a slot (in the kernel, or finishing). */
    public int inFlight() {
        return Math.max(0, depth - freeSlots.available());
    }

    public boolean isClosed() {
        return (gate.get() & GATE_PHASE) != OPEN;
    }

    public boolean hasReaperThread() {
        return reaperMode;
    }

    /**
     * The eventfd of eventfd mode; -1 once it is closed (or in reaper mode). Once its number was handed
     * out, it is closed only by the first {@link #collect} that returns -1 (the application's loop has
     * then been told to stop using it).
     */
    public int applicationEventFd() {
        if (reaperMode || controlFdClosed.get()) {
            return -1;
        }
        fdHandedOut = true;
        return controlFd;
    }

    /**
     * Eventfd mode, when the context is unreachable: closes the eventfd if the engine has terminated and
     * no loop acknowledged it (a backstop; the application should call {@link #collect} after close).
     */
    public void abandoned() {
        if (terminated.isDone()) {
            closeApplicationEventFd();
        }
    }

    /** True on a thread that is completing requests (running their callbacks), and on the reaper thread. */
    public boolean isCompletingThread() {
        return Thread.currentThread() == reaper || THREADS.get().completing > 0;
    }

    /** Completes when the engine has terminated (normally, or exceptionally with the failure). */
    public CompletableFuture<Void> termination() {
        return terminated;
    }

    // ------------------------------------------------------------------ submit

    /**
     * Submits the request {@code spec} describes (the engine copies it: the caller may reuse it at once).
     * Never throws: a request that cannot be submitted ends with an exception (ClosedChannelException
     * after close, InterruptedIOException if interrupted while waiting for a slot, the refusal from
     * {@link Outcomes#refused}). {@link Outcomes#ended} is called for its owner exactly once when it has
     * ended. Returns the request's future, or null for a handler request ({@code spec.handler}).
     */
    public <T> RequestFuture<T> submit(Request spec) {
        return submit(spec, spec.handler == null ? new RequestFuture<>(this, spec.owner, RequestFuture.TAKEN) : null);
    }

    /**
     * {@link #submit(Request)} with the future to complete: one of an adapter's own subclass (see
     * {@link RequestFuture#RequestFuture(RequestEngine, Object)}), not yet submitted.
     */
    public <T> RequestFuture<T> submit(Request spec, RequestFuture<T> f) {
        Thread t = Thread.currentThread();
        ThreadState ts = THREADS.get();
        if (ts.completing > 0 || t == reaper) {
            submitFromCompletingThread(spec, f);
            return f;
        }
        int slot = takeSlot(spec, f);
        if (slot < 0) {
            return f;
        }
        // Route the request to its slot's eventfd when this thread is likely to wait on it itself: it waits
        // on its requests, and its previous routed request is done (a thread that submits several before
        // waiting, e.g. to join them with allOf, is better served by the reaper).
        ThreadState router = null;
        if (reaperMode && f != null && ts.waits && !t.isVirtual()) {
            RequestFuture<?> last = ts.lastRouted;
            if (last != null && !last.isDone()) {
                ts.waits = false;
            } else {
                router = ts;
            }
        }
        submitInSlot(slot, spec, f, router, false);
        return f;
    }

    /**
     * A completing thread never waits for a slot, and never makes an io_submit that does the I/O itself
     * (buffered reads and writes): the submitter thread does those.
     */
    private void submitFromCompletingThread(Request spec, RequestFuture<?> f) {
        int slot = spec.mayBlock ? -1 : freeSlots.tryTake();
        if (slot == -1) {
            enqueue(queued(spec, f));
        } else if (slot == SlotPool.CLOSED) {
            endWithoutSlot(spec, f, new ClosedChannelException());
        } else {
            submitInSlot(slot, spec, f, null, false);
        }
    }

    /** A future for a request to be submitted later with {@link #submitAll} (a batch hands it out early). */
    public <T> RequestFuture<T> newFuture(Object owner) {
        return new RequestFuture<>(this, owner, RequestFuture.TAKEN);
    }

    /** Ends a request that was prepared (its future handed out) but will never be submitted. */
    public void abandon(Request spec, RequestFuture<?> f, Throwable why) {
        endWithoutSlot(spec, f, why);
    }

    /**
     * Submits several requests with as few io_submit calls as the free slots allow: one, when they are
     * all free. {@code futures[i]} is the future of {@code specs[i]} (from {@link #newFuture}; null for a
     * handler request). {@code n} must not exceed the queue depth (checked by the caller).
     */
    public void submitAll(Request[] specs, RequestFuture<?>[] futures, int n) {
        if (THREADS.get().completing > 0 || Thread.currentThread() == reaper) {
            for (int i = 0; i < n; i++) {
                submitFromCompletingThread(specs[i], futures[i]);
            }
            return;
        }
        int[] slots = new int[n];
        int i = 0;
        while (i < n) {
            // wait for one slot, then take every other free one: submit what has a slot, then the rest
            int first = takeSlot(specs[i], futures[i]);
            if (first < 0) {
                i++; // it has ended
                continue;
            }
            slots[i] = first;
            int k = 1;
            int s;
            while (i + k < n && (s = freeSlots.tryTake()) >= 0) {
                slots[i + k] = s;
                k++;
            }
            submitInSlots(slots, specs, futures, i, k);
            i += k;
        }
    }

    /**
     * Waits for a free slot; -1 (and the request ended) if that failed. A slot taken after close is
     * given to {@link #submitInSlot}, whose gate refuses it.
     */
    private int takeSlot(Request spec, RequestFuture<?> f) {
        int slot = freeSlots.tryTake();
        if (slot >= 0) {
            return slot;
        }
        try {
            if (spec.uninterruptible && (reaperMode || Thread.currentThread().isVirtual())) {
                slot = freeSlots.takeUninterruptibly();
            } else if (reaperMode || Thread.currentThread().isVirtual()) {
                slot = freeSlots.take();
            } else {
                // eventfd mode: completions are collected only by whoever asks; a platform thread waiting
                // for a slot collects them itself
                boolean interrupted = false;
                while ((slot = freeSlots.tryTake()) == -1) {
                    if (leadOnce(tickNanos) < 0) {
                        try {
                            slot = freeSlots.take(tickNanos); // another thread collects: wait for it a little
                        } catch (InterruptedException e) {
                            if (!spec.uninterruptible) {
                                throw e;
                            }
                            interrupted = true;
                        }
                        if (slot != -1) {
                            break;
                        }
                    }
                    if (!spec.uninterruptible && Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt(); // kept for the caller
                }
            }
            if (slot == SlotPool.CLOSED) {
                endWithoutSlot(spec, f, new ClosedChannelException());
                return -1;
            }
            return slot;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            endWithoutSlot(spec, f, new InterruptedIOException(
                    "interrupted while waiting for a free slot; the request was not submitted"));
            return -1;
        }
    }

    /**
     * Submits {@code spec} into {@code slot}, taken from the pool. {@code router}: route to the slot's
     * eventfd and remember it there. {@code queued}: the request had been accepted earlier (a refusal by
     * the gate is then an asynchronous close).
     */
    private void submitInSlot(int slot, Request spec, RequestFuture<?> f, ThreadState router, boolean queued) {
        if (!enterGate(true)) {
            finishing.incrementAndGet();
            freeSlots.put(slot);
            try {
                endWithoutSlot(spec, f, queued ? new AsynchronousCloseException() : new ClosedChannelException());
            } finally {
                finishing.decrementAndGet();
            }
            return;
        }
        Throwable refusal;
        boolean counted = false;
        try {
            Request r = requests[slot];
            int gen = generation(slots.get(slot));
            r.copyFrom(spec);
            r.future = f;
            long flags = 0;
            int resfd = controlFd;
            if (router != null) {
                int sfd = slotFd(slot);
                if (sfd >= 0) {
                    resfd = sfd;
                    flags = SLOT_ROUTED;
                    router.lastRouted = f;
                }
            }
            if (f != null) {
                f.placed(slot, gen);
            }
            slots.set(slot, word(gen, SUBMITTING, flags));
            long ret;
            try {
                ret = kernel.submit(slot, userData(slot, gen), r, resfd);
            } catch (RuntimeException | Error e) {
                ret = Long.MIN_VALUE;
                refusal = e;
            }
            if (ret == 1) {
                // fails when the event was reaped already (the slot is COMPLETED or reused): nothing to do
                slots.compareAndSet(slot, word(gen, SUBMITTING, flags), word(gen, SUBMITTED, flags));
                if (flags != 0 && reaperUntimed) {
                    kernel.signalEventFd(controlFd); // the reaper must keep its timer while this is in flight
                }
                return;
            }
            refusal = ret == Long.MIN_VALUE ? failureOf(r) : outcomes.refused(r, (int) -ret);
            r.clear();
            finishing.incrementAndGet();
            counted = true;
            release(slot, gen);
        } catch (RuntimeException | Error e) {
            refusal = e; // a bug: do not lose the request
            if (!counted) {
                finishing.incrementAndGet();
                counted = true;
            }
        } finally {
            exitGate();
        }
        try {
            endWithoutSlot(spec, f, refusal);
        } finally {
            finishing.decrementAndGet();
        }
    }

    /**
     * Submits {@code specs[from, from + count)} into {@code slots} (taken from the pool) with one
     * io_submit, or more if the kernel refuses one of them (a refused request ends with its error; the
     * ones after it are submitted again).
     */
    private void submitInSlots(int[] slotOf, Request[] specs, RequestFuture<?>[] futures, int from, int count) {
        if (!enterGate(true)) {
            for (int i = from; i < from + count; i++) {
                freeSlots.put(slotOf[i]);
                endWithoutSlot(specs[i], futures[i], new ClosedChannelException());
            }
            return;
        }
        Request[] inSlot = new Request[specs.length];
        long[] data = new long[specs.length];
        Throwable[] refusals = null;
        finishing.incrementAndGet(); // refusals are delivered below, after the gate
        try {
            for (int i = from; i < from + count; i++) {
                int slot = slotOf[i];
                Request r = requests[slot];
                int gen = generation(slots.get(slot));
                r.copyFrom(specs[i]);
                r.future = futures[i];
                if (futures[i] != null) {
                    futures[i].placed(slot, gen);
                }
                inSlot[i] = r;
                data[i] = userData(slot, gen);
                slots.set(slot, word(gen, SUBMITTING, 0));
            }
            int at = from;
            int end = from + count;
            while (at < end) {
                long ret;
                try {
                    ret = kernel.submitAll(slotOf, inSlot, data, controlFd, at, end - at);
                } catch (RuntimeException | Error e) {
                    ret = Long.MIN_VALUE;
                }
                if (ret > 0) {
                    for (int i = at; i < at + ret; i++) {
                        int gen = (int) (data[i] >>> 32);
                        slots.compareAndSet(slotOf[i], word(gen, SUBMITTING, 0), word(gen, SUBMITTED, 0));
                    }
                    at += (int) ret;
                    continue;
                }
                // the kernel refused the first of the rest: it ends with the error; go on after it
                Request r = inSlot[at];
                if (refusals == null) {
                    refusals = new Throwable[specs.length];
                }
                refusals[at] = ret == Long.MIN_VALUE ? failureOf(r) : outcomes.refused(r, (int) -ret);
                r.clear();
                release(slotOf[at], (int) (data[at] >>> 32));
                at++;
            }
        } finally {
            exitGate();
        }
        try {
            if (refusals != null) {
                for (int i = from; i < from + count; i++) {
                    if (refusals[i] != null) {
                        endWithoutSlot(specs[i], futures[i], refusals[i]);
                    }
                }
            }
        } finally {
            finishing.decrementAndGet();
        }
    }

    private static Throwable failureOf(Request r) {
        return new IllegalStateException("kaio: submitting the request failed unexpectedly");
    }

    /** The slot's eventfd, created on first use; -1 if it cannot be created (the reaper is used instead). */
    private int slotFd(int slot) {
        int fd = slotFds[slot];
        if (fd < 0) {
            fd = kernel.createEventFd();
            if (fd < 0) {
                return -1;
            }
            slotFds[slot] = fd; // owned by the slot's holder; published by the slot's state word
        }
        return fd;
    }

    private void release(int slot, int gen) {
        slots.set(slot, word(gen + 1, FREE, 0));
        freeSlots.put(slot);
    }

    private boolean enterGate(boolean submission) {
        long g;
        do {
            g = gate.get();
            long phase = g & GATE_PHASE;
            if (phase == TERMINATED || (submission && phase != OPEN)) {
                return false;
            }
        } while (!gate.compareAndSet(g, g + TICKET));
        return true;
    }

    private void exitGate() {
        gate.addAndGet(-TICKET);
    }

    /** Ends a request that holds no slot (never submitted, or refused) with {@code failure}. */
    private void endWithoutSlot(Request spec, RequestFuture<?> f, Throwable failure) {
        deliver(f, spec.handler, spec.attachment, spec.executor, spec.owner, spec.buffers, spec.kind, spec.trace,
                Long.MIN_VALUE, failure);
    }

    /**
     * Ends a request: completes its future, or calls its handler, on its executor if it has one, else on
     * this thread (which then counts as completing: its callbacks run here); then tells its owner. A
     * delivery on an executor counts as under way until it has run, so close() waits for it.
     */
    private void deliver(RequestFuture<?> f, Object handler, Object attachment, java.util.concurrent.Executor executor,
            Object owner, Object buffers, byte kind, Object trace, long result, Throwable failure) {
        if (executor != null) {
            finishing.incrementAndGet();
            try {
                executor.execute(() -> {
                    try {
                        deliverHere(f, handler, attachment, owner, buffers, kind, trace, result, failure);
                    } finally {
                        finishing.decrementAndGet();
                    }
                });
                return;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                finishing.decrementAndGet(); // the executor is shut down: deliver here rather than never
            }
        }
        deliverHere(f, handler, attachment, owner, buffers, kind, trace, result, failure);
    }

    private void deliverHere(RequestFuture<?> f, Object handler, Object attachment, Object owner, Object buffers,
            byte kind, Object trace, long result, Throwable failure) {
        ThreadState ts = THREADS.get();
        ts.completing++;
        try {
            outcomes.buffersDone(buffers);
            if (f != null) {
                if (failure != null) {
                    f.failInternal(failure);
                } else {
                    succeed(f, outcomes.value(kind, result));
                }
            } else {
                outcomes.handle(handler, attachment, result, failure);
            }
        } catch (RuntimeException | Error e) {
            if (f != null) {
                f.failInternal(e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "kaio: a completion handler threw", e);
            }
        } finally {
            ts.completing--;
            outcomes.ended(owner, buffers, trace, result);
        }
    }

    // ------------------------------------------------------------------ the queue and its submitter thread

    /** A copy of {@code spec} to wait in the queue, with its future (marked queued). */
    private static Request queued(Request spec, RequestFuture<?> f) {
        Request q = new Request();
        q.copyFrom(spec);
        q.future = f;
        if (f != null) {
            f.queuedCopy = q;
            f.moveFrom(RequestFuture.TAKEN, RequestFuture.QUEUED);
        }
        return q;
    }

    private void enqueue(Request p) {
        queue.add(p);
        LockSupport.unpark(submitterThread());
        // close() may have withdrawn the queue just before this request was added: withdraw it too
        if ((gate.get() & GATE_PHASE) != OPEN) {
            withdrawQueued(new AsynchronousCloseException());
        }
    }

    private Thread submitterThread() {
        Thread t = submitter.get();
        if (t == null) {
            Thread created = new Thread(this::submitterLoop, "kaio-submitter-" + name);
            created.setDaemon(true);
            if (submitter.compareAndSet(null, created)) {
                created.start();
                t = created;
            } else {
                t = submitter.get();
            }
        }
        return t;
    }

    private void submitterLoop() {
        while (true) {
            Request head = queue.peek();
            if (head == null) {
                if (terminated.isDone()) {
                    return;
                }
                LockSupport.park(this);
                continue;
            }
            if (head.future != null && head.future.where() != RequestFuture.QUEUED) {
                queue.remove(head); // withdrawn (cancelled or failed by close): it needs no slot
                continue;
            }
            // wait for a slot while the request is still withdrawable, then take it
            int slot = freeSlots.takeUninterruptibly();
            Request p = queue.poll();
            if (p == null || !p.claim()) {
                if (slot >= 0) {
                    freeSlots.put(slot);
                }
                continue;
            }
            if (slot == SlotPool.CLOSED) {
                endWithoutSlot(p, p.future, new AsynchronousCloseException());
                continue;
            }
            submitInSlot(slot, p, p.future, null, true);
        }
    }

    /** Withdraws every queued request, failing it with {@code failure}. */
    private void withdrawQueued(Throwable failure) {
        Request p;
        while ((p = queue.poll()) != null) {
            if (p.claim()) {
                endWithoutSlot(p, p.future, failure);
            }
        }
    }

    // ------------------------------------------------------------------ cancel

    /** io_cancel of the request; true if the kernel cancelled it (then its future is complete). */
    boolean cancel(RequestFuture<?> f) {
        if (f.where() == RequestFuture.QUEUED && f.moveFrom(RequestFuture.QUEUED, RequestFuture.WITHDRAWN)) {
            // whoever takes its copy from the queue skips it (its claim fails): it is ended here
            Request q = f.queuedCopy;
            queue.remove(q);
            endWithoutSlot(q, f, new CancellationException("withdrawn before it was submitted"));
            return true;
        }
        if (f.where() != RequestFuture.IN_SLOT) {
            return false; // being submitted right now
        }
        if (!cancelSlot(f.slot, f.generation, false)) {
            return false;
        }
        f.awaitQuietly(); // the kernel delivers a cancelled request's event at once
        return f.isCancelled();
    }

    /** Pins the slot, calls io_cancel, unpins; true if the kernel took the cancellation. */
    private boolean cancelSlot(int slot, int gen, boolean byClose) {
        if (!enterGate(false)) {
            return false;
        }
        try {
            long w;
            long flags = PINNED | CANCEL_REQUESTED | (byClose ? CANCEL_BY_CLOSE : 0);
            do {
                w = slots.get(slot);
                if (generation(w) != gen || phase(w) != SUBMITTED || (w & (PINNED | CANCEL_REQUESTED)) != 0) {
                    return false; // not in the kernel (any more), or a cancellation is already under way
                }
            } while (!slots.compareAndSet(slot, w, w | flags));
            long ret = kernel.cancel(slot);
            boolean taken = ret == 0 || ret == -EINPROGRESS;
            // a cancellation the kernel did not take leaves no trace
            unhold(slot, gen, taken ? PINNED : flags);
            return taken;
        } finally {
            exitGate();
        }
    }

    /** Clears {@code bits} (including a hold); frees the slot if that was the last hold on a DONE slot. */
    private void unhold(int slot, int gen, long bits) {
        while (true) {
            long w = slots.get(slot);
            long nw = w & ~bits;
            if (phase(nw) == DONE && (nw & HOLDS) == 0) {
                if (slots.compareAndSet(slot, w, word(gen, DONE, 0))) {
                    release(slot, gen);
                    return;
                }
            } else if (slots.compareAndSet(slot, w, nw)) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ reaping

    /** Called by the kernel port under the reap lock: moves one event into its slot. */
    @Override
    public void event(long userData, long result) {
        int slot = (int) userData;
        int gen = (int) (userData >>> 32);
        if (slot < 0 || slot >= depth) {
            unknownEvent(userData);
            return;
        }
        long w;
        do {
            w = slots.get(slot);
            int p = phase(w);
            if (generation(w) != gen || (p != SUBMITTING && p != SUBMITTED)) {
                unknownEvent(userData);
                return;
            }
        } while (!slots.compareAndSet(slot, w, (w & ~PHASE) | COMPLETED));
        Request r = requests[slot];
        r.result = result;
        r.nextStaged = -1;
        r.stagedBy = Thread.currentThread();
        if (stagedTail < 0) {
            stagedHead = slot;
        } else {
            requests[stagedTail].nextStaged = slot;
        }
        stagedTail = slot;
    }

    private static void unknownEvent(long userData) {
        // Cannot happen unless memory is corrupted: never complete the wrong request.
        LOG.log(System.Logger.Level.ERROR, "kaio: ignoring a completion with unknown aio_data 0x{0}",
                Long.toHexString(userData));
    }

    /** Takes the staged list (under the reap lock), counting it as being delivered. */
    private int takeStaged() {
        int head = stagedHead;
        if (head >= 0) {
            finishing.incrementAndGet();
        }
        stagedHead = -1;
        stagedTail = -1;
        return head;
    }

    /** Reaps what has completed, without waiting, then completes it on this thread. Returns how many. */
    private int reapAndFinish() {
        int list;
        int n;
        reapLock.lock();
        try {
            if (reapDead || failure.get() != null) {
                return 0; // after a failure to reap, the kernel's queue is not touched again
            }
            n = kernel.reap(this);
            list = takeStaged();
        } finally {
            reapLock.unlock();
        }
        int done = finish(list);
        if (n < 0 && n != -EINTR) {
            fail(new IOException("kaio: reaping completions failed with errno " + -n));
        }
        if (!reaperMode) {
            done += reapRequested();
        }
        return done;
    }

    /**
     * Eventfd mode: one round of collecting, waiting up to {@code waitNanos} in io_getevents if nothing
     * has completed (0: no wait). Returns how many it completed, or -1 if another thread is collecting
     * (which then completes them).
     */
    private int leadOnce(long waitNanos) {
        if (!reapLock.tryLock()) {
            return -1;
        }
        int list;
        int n;
        try {
            if (reapDead || failure.get() != null) {
                return 0;
            }
            reapAgain.set(false);
            n = kernel.reap(this);
            if (n == 0 && waitNanos != 0) {
                n = kernel.reapWaiting(this, waitNanos);
            }
            list = takeStaged();
        } finally {
            reapLock.unlock();
        }
        int done = finish(list) + reapRequested();
        if (n < 0 && n != -EINTR) {
            fail(new IOException("kaio: io_getevents failed with errno " + -n));
        }
        return done;
    }

    /**
     * Eventfd mode: serves requests for a reap made while the lock was held ({@link #reapAgain}): the
     * holder looks after releasing the lock, so that a reap asked for by a thread that found the lock
     * busy always happens after it asked.
     */
    private int reapRequested() {
        int done = 0;
        while (reapAgain.get() && reapLock.tryLock()) {
            int list;
            try {
                reapAgain.set(false);
                if (reapDead || failure.get() != null) {
                    return done;
                }
                int n = kernel.reap(this);
                if (n < 0 && n != -EINTR) {
                    fail(new IOException("kaio: reaping completions failed with errno " + -n));
                }
                list = takeStaged();
            } finally {
                reapLock.unlock();
            }
            done += finish(list);
        }
        return done;
    }

    /** Completes the requests of a staged list on this thread. */
    private int finish(int slot) {
        if (slot < 0) {
            return 0;
        }
        ThreadState ts = THREADS.get();
        ts.completing++;
        int n = 0;
        try {
            while (slot >= 0) {
                Request r = requests[slot];
                int next = r.nextStaged;
                if (r.finishedEarly) {
                    r.finishedEarly = false;
                    releaseAfterEvent(slot);
                } else {
                    finishOne(slot, r, true);
                }
                n++;
                slot = next;
            }
        } finally {
            ts.completing--;
            finishing.decrementAndGet();
        }
        return n;
    }

    /**
     * Delivers one reaped request: decides its outcome while its slot is held, frees the slot (first, so
     * that callbacks can submit into it; {@code release} false: the caller frees it later), then
     * completes its future and tells its owner.
     */
    private void finishOne(int slot, Request r, boolean release) {
        long w = slots.get(slot);
        long res = r.result;
        RequestFuture<?> f = r.future;
        Object handler = r.handler;
        Object attachment = r.attachment;
        java.util.concurrent.Executor executor = r.executor;
        Object owner = r.owner;
        Object buffers = r.buffers;
        Object trace = r.trace;
        byte kind = r.kind;
        Throwable failure;
        Request again = null;
        try {
            boolean open = (gate.get() & GATE_PHASE) == OPEN;
            if (res < 0 && open && outcomes.retryWithoutNowait(r, res)) {
                r.retryWithoutNowait = false; // one retry, without the flag (cleared by the outcome)
                again = queued(r, null);
                again.future = f;
                failure = null;
            } else {
                failure = outcomes.failure(r, res, (w & CANCEL_REQUESTED) != 0, (w & CANCEL_BY_CLOSE) != 0, !open);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        r.clear();
        if (release) {
            releaseAfterEvent(slot);
        } else {
            r.finishedEarly = true;
        }
        if (again != null) {
            if (f != null) {
                f.queuedCopy = again;
                f.moveFrom(RequestFuture.IN_SLOT, RequestFuture.QUEUED);
            }
            enqueue(again);
            return;
        }
        deliver(f, handler, attachment, executor, owner, buffers, kind, trace, res, failure);
    }

    @SuppressWarnings("unchecked")
    private static void succeed(RequestFuture<?> f, Object value) {
        ((RequestFuture<Object>) f).succeedInternal(value);
    }

    /** Frees a slot whose event was delivered, or leaves it DONE for its last holder. */
    private void releaseAfterEvent(int slot) {
        requests[slot].stagedBy = null;
        while (true) {
            long w = slots.get(slot);
            int gen = generation(w);
            if ((w & HOLDS) != 0) {
                if (slots.compareAndSet(slot, w, (w & ~PHASE) | DONE)) {
                    return;
                }
            } else if (slots.compareAndSet(slot, w, word(gen, DONE, 0))) {
                release(slot, gen);
                return;
            }
        }
    }

    // ------------------------------------------------------------------ waiting

    /** {@link #await} without interruption (join). */
    public void awaitUninterruptibly(RequestFuture<?> f) {
        awaitUninterruptibly(f, NO_DEADLINE);
    }

    /** {@link #awaitUninterruptibly(RequestFuture)} until {@code deadline} ({@link System#nanoTime}; 0: none). */
    public void awaitUninterruptibly(RequestFuture<?> f, long deadline) {
        try {
            await0(f, false, deadline);
        } catch (InterruptedException e) {
            throw new AssertionError(e); // not thrown when not interruptible
        }
    }

    /**
     * Waits for {@code f} the cheapest way this thread can: reaping completions itself where it can
     * (see the class comment), or returning at once so that the caller parks until another thread
     * completes it. Returns when {@code f} is done, when the caller should park, or at {@code deadline}
     * ({@link System#nanoTime}; 0: none).
     */
    public void await(RequestFuture<?> f, long deadline) throws InterruptedException {
        await0(f, true, deadline);
    }

    private void await0(RequestFuture<?> f, boolean interruptible, long deadline) throws InterruptedException {
        if (f.isDone()) {
            return;
        }
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (f.where() == RequestFuture.IN_SLOT && finishEarlyIfMine(f)) {
            return;
        }
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            return; // a virtual thread never blocks its carrier in the kernel: it parks, and is completed
        }
        if (!reaperMode) {
            leaderWait(f, interruptible, deadline);
            return;
        }
        THREADS.get().waits = true;
        if (t == reaper) {
            reaperWait(f, deadline);
            return;
        }
        if (f.where() != RequestFuture.IN_SLOT) {
            return; // waiting for a slot: the submitter thread submits it, then the reaper completes it
        }
        int slot = f.slot;
        int gen = f.generation;
        if (!claim(slot, gen)) {
            return; // not routed to its slot's eventfd, or someone else waits there: park
        }
        try {
            claimedWait(f, slot, gen, interruptible, deadline);
        } finally {
            unhold(slot, gen, CLAIMED);
        }
    }

    /**
     * A callback waiting on a request that this very thread reaped and has not delivered yet (it is
     * further down the list this thread is completing) would wait for itself: deliver it now.
     */
    private boolean finishEarlyIfMine(RequestFuture<?> f) {
        int slot = f.slot;
        long w = slots.get(slot);
        Request r = requests[slot];
        if (generation(w) != f.generation || phase(w) != COMPLETED || r.stagedBy != Thread.currentThread()
                || r.finishedEarly || r.future != f) {
            return false;
        }
        ThreadState ts = THREADS.get();
        ts.completing++;
        try {
            finishOne(slot, r, false);
        } finally {
            ts.completing--;
        }
        return true;
    }

    private boolean claim(int slot, int gen) {
        long w;
        do {
            w = slots.get(slot);
            if (generation(w) != gen || phase(w) != SUBMITTED || (w & SLOT_ROUTED) == 0 || (w & CLAIMED) != 0) {
                return false;
            }
        } while (!slots.compareAndSet(slot, w, w | CLAIMED));
        return true;
    }

    /**
     * Waits on the slot's eventfd, which the kernel signals when this request completes, reaping after
     * every wake-up. A reap that finds the request staged by another thread leaves the delivery to it.
     */
    private void claimedWait(RequestFuture<?> f, int slot, int gen, boolean interruptible, long deadline)
            throws InterruptedException {
        int fd = slotFds[slot];
        // An interrupt cannot stop a read(2), so an interruptible wait for a request that may never
        // complete (a poll) looks at its interrupt status every 10 ms (ppoll, then read). A file request
        // completes when its I/O does, and kernel file I/O cannot be aborted anyway: its waiter blocks in
        // read(2) alone (one system call), and sees an interrupt when the request completes.
        boolean chunked = interruptible && outcomes.cancelOnClose(requests[slot]);
        while (true) {
            reapAndFinish();
            if (f.isDone()) {
                return;
            }
            long w = slots.get(slot);
            if (generation(w) != gen || phase(w) != SUBMITTED) {
                return; // reaped by another thread, which delivers it: park
            }
            long timeout = remaining(deadline);
            if (timeout == 0) {
                return;
            }
            if (chunked) {
                timeout = timeout < 0 ? INTERRUPT_CHECK_NANOS : Math.min(timeout, INTERRUPT_CHECK_NANOS);
            } else if (watchRing(slot, gen, timeout)) {
                continue; // something completed: reap it at the top of the loop
            }
            int r = kernel.awaitEventFd(fd, slot, timeout);
            if (r < 0 && r != -EINTR) {
                fail(new IOException("kaio: waiting on a request's eventfd failed with errno " + -r));
                return;
            }
            if (interruptible && Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /**
     * Before sleeping on its slot's eventfd, watches the completion ring in user space for at most the
     * spin budget (and {@code timeout}, if not negative), as {@link CompletionSpin} allows. True when an
     * event arrived or the slot moved on (another thread reaped it), false when the caller should sleep.
     * A request completed this way leaves its slot's eventfd signalled: the next wait on that slot
     * returns from read(2) at once, finds nothing, and goes round again.
     */
    private boolean watchRing(int slot, int gen, long timeout) {
        if (!kernel.reapsFromRing() || !spin.begin()) {
            return false;
        }
        boolean hit = false;
        try {
            long budget = spin.budgetFor(timeout);
            long start = System.nanoTime();
            do {
                long w = slots.get(slot);
                if (kernel.unreapedMark() != -1 || generation(w) != gen || phase(w) != SUBMITTED) {
                    hit = true;
                    break;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - start < budget);
        } finally {
            spin.end(hit);
        }
        return hit;
    }

    /** The reaper thread waiting (in a callback): it goes on being the reaper meanwhile. */
    private void reaperWait(RequestFuture<?> f, long deadline) {
        while (!f.isDone()) {
            reapAndFinish();
            if (f.isDone() || remaining(deadline) == 0) {
                return;
            }
            kernel.awaitEventFd(controlFd, depth, tickNanos);
        }
    }

    /** Eventfd mode: collect completions (the only thread in io_getevents) until {@code f} is done. */
    private void leaderWait(RequestFuture<?> f, boolean interruptible, long deadline) throws InterruptedException {
        while (!f.isDone()) {
            long timeout = remaining(deadline);
            if (timeout == 0) {
                return;
            }
            long chunk = timeout < 0 ? INTERRUPT_CHECK_NANOS : Math.min(timeout, INTERRUPT_CHECK_NANOS);
            if (reapLock.isHeldByCurrentThread() || !reapLock.tryLock()) {
                f.parkAtMost(Math.min(chunk, tickNanos)); // another thread collects; it completes this one too
            } else {
                int list;
                int n;
                try {
                    if (reapDead || failure.get() != null) {
                        return;
                    }
                    reapAgain.set(false);
                    n = kernel.reap(this);
                    if (n == 0 && !f.isDone()) {
                        n = kernel.reapWaiting(this, chunk);
                    }
                    list = takeStaged();
                } finally {
                    reapLock.unlock();
                }
                finish(list);
                reapRequested();
                if (n < 0 && n != -EINTR) {
                    fail(new IOException("kaio: io_getevents failed with errno " + -n));
                    return;
                }
            }
            if (interruptible && Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private static long remaining(long deadline) {
        if (deadline == NO_DEADLINE) {
            return -1;
        }
        return Math.max(0L, deadline - System.nanoTime());
    }

    // ------------------------------------------------------------------ eventfd mode: the application's loop

    /**
     * Eventfd mode: completes what has completed, on this thread, waiting up to {@code waitNanos} (0: not
     * at all) if nothing has. Returns how many, 0 from a completion callback, or -1 once the engine has
     * terminated (the first -1 closes the eventfd: the loop must stop using it).
     */
    public int collect(long waitNanos) {
        if (reaperMode) {
            throw new IllegalStateException("this context has a reaper thread; processCompletions() is for contexts "
                    + "opened with Options.eventFd()");
        }
        if (terminated.isDone()) {
            closeApplicationEventFd();
            return -1;
        }
        if (isCompletingThread()) {
            return 0;
        }
        int n;
        if (waitNanos == 0) {
            reapAgain.set(true); // whoever holds the lock reaps again for us before letting go
            n = reapRequested();
        } else {
            n = Math.max(0, leadOnce(waitNanos));
        }
        if ((gate.get() & GATE_PHASE) != OPEN) {
            closingRound();
            if (terminated.isDone()) {
                closeApplicationEventFd();
                return -1;
            }
        }
        return n;
    }

    // Signalling and closing the application's eventfd exclude each other, so that it is never written
    // after it was closed (the loop may close it, by collect() returning -1, as soon as it is signalled).

    private void closeApplicationEventFd() {
        synchronized (controlFdClosed) {
            if (!reaperMode && controlFdClosed.compareAndSet(false, true)) {
                kernel.closeEventFd(controlFd);
            }
        }
    }

    private void signalApplicationEventFd() {
        synchronized (controlFdClosed) {
            if (!controlFdClosed.get()) {
                kernel.signalEventFd(controlFd);
            }
        }
    }

    // ------------------------------------------------------------------ the reaper thread

    private void reaperLoop() {
        boolean signalled = false; // the last wait ended because our eventfd was signalled
        try {
            while (true) {
                Throwable failed = failure.get();
                if (failed != null) {
                    failAndTeardown(failed);
                    return;
                }
                long timeout;
                if ((gate.get() & GATE_PHASE) != OPEN) {
                    closingRound();
                    if (terminated.isDone()) {
                        return;
                    }
                    timeout = tickNanos;
                } else if (signalled ? inFlight() > 0 : routedInFlight(false)) {
                    // Just signalled, with requests in flight: more completions are likely, and looking at
                    // every slot after each signal would cost a busy reaper too much; the timer decides
                    // when it fires (a reaper that is not signalled again scans the slots then).
                    timeout = reaperTick;
                } else {
                    // No request in flight is routed to a slot eventfd, so every completion signals ours:
                    // wait without a timer. A submitter that routes a request sees the flag and wakes us
                    // (Dekker: it sets the slot's word, then reads the flag; we set the flag, then read the
                    // slots' words).
                    reaperUntimed = true;
                    timeout = routedInFlight(false) || (gate.get() & GATE_PHASE) != OPEN ? reaperTick : -1;
                }
                int r = kernel.awaitEventFd(controlFd, depth, timeout);
                reaperUntimed = false;
                signalled = r > 0;
                if (timeout < 0) {
                    reaperTick = tickNanos; // a new routed request: watch it closely until it has its waiter
                }
                if (r < 0 && r != -EINTR) {
                    throw new IOException("kaio: the reaper's eventfd failed with errno " + -r);
                }
                if (r == 0) {
                    // A tick: reap only events that have waited a whole tick (their waiters would have
                    // reaped them by now), so as not to take completions from threads about to reap them.
                    long mark = kernel.unreapedMark();
                    boolean stale = mark >= 0 && mark == lastTickMark;
                    lastTickMark = mark;
                    if (!stale && (gate.get() & GATE_PHASE) == OPEN) {
                        // Nothing waited a whole tick. The next tick comes later while every routed request
                        // has a thread waiting on its eventfd (which reaps it), at once when one has none.
                        reaperTick = routedInFlight(true) ? tickNanos
                                : Math.min(reaperTick * 2, tickNanos * MAX_TICK_FACTOR);
                        continue;
                    }
                    reaperTick = tickNanos;
                }
                reapAndFinish();
            }
        } catch (Throwable t) {
            failAndTeardown(t);
        }
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes: new submissions fail, queued requests are withdrawn (AsynchronousCloseException),
     * cancellable requests in flight are cancelled, the rest complete normally; then the kernel context
     * is destroyed. Waits for all that, except on a completing thread (a callback), where it returns at
     * once and the rest happens after. Idempotent.
     */
    public void close() throws IOException {
        if (beginClosing()) {
            withdrawQueued(new AsynchronousCloseException());
            if (reaperMode && enterGate(false)) {
                try {
                    kernel.signalEventFd(controlFd);
                } finally {
                    exitGate();
                }
            }
        }
        if (isCompletingThread()) {
            return;
        }
        if (!reaperMode) {
            while (!terminated.isDone()) {
                closingRound();
                if (!terminated.isDone()) {
                    leadOnce(tickNanos);
                }
            }
            if (!fdHandedOut) {
                closeApplicationEventFd(); // nobody has its number: nobody can be reading it
            }
        }
        awaitTermination();
    }

    private boolean beginClosing() {
        long g;
        while (((g = gate.get()) & GATE_PHASE) == OPEN) {
            if (gate.compareAndSet(g, g | CLOSING)) {
                return true;
            }
        }
        return false;
    }

    private void awaitTermination() throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    terminated.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
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

    /**
     * One round of closing (by the reaper thread, or in eventfd mode by the closer or the loop): cancel
     * what close() cancels, reap, and tear down once nothing is left.
     */
    private void closingRound() {
        Throwable failed = failure.get();
        if (failed != null) {
            failAndTeardown(failed);
            return;
        }
        if ((gate.get() & ~GATE_PHASE) == 0) {
            // Nobody is in io_submit (and nobody can enter it any more): every request that will ever be in
            // the kernel is SUBMITTED now, so this scan misses none. Repeated each round, it also retries
            // what a concurrent cancel kept pinned.
            for (int slot = 0; slot < depth; slot++) {
                long w = slots.get(slot);
                if (phase(w) == SUBMITTED && (w & (CANCEL_REQUESTED | PINNED)) == 0) {
                    boolean cancellable = outcomes.cancelOnClose(requests[slot]);
                    if (cancellable && slots.get(slot) == w) { // the request read belongs to that generation
                        cancelSlot(slot, generation(w), true);
                    }
                }
            }
        }
        reapAndFinish();
        tryTeardown();
    }

    private void tryTeardown() {
        if (terminated.isDone() || freeSlots.available() < depth || finishing.get() != 0) {
            return;
        }
        if (gate.compareAndSet(CLOSING, TERMINATED)) {
            teardown(null);
        }
    }

    /** Records a failure of the engine (reaping failed): it stops, failing what it cannot finish. */
    private void fail(Throwable t) {
        if (failure.compareAndSet(null, t)) {
            LOG.log(System.Logger.Level.ERROR, "kaio: context " + name + " failed; closing it", t);
            beginClosing();
            if (reaperMode && enterGate(false)) {
                try {
                    kernel.signalEventFd(controlFd);
                } finally {
                    exitGate();
                }
            }
        }
    }

    private void failAndTeardown(Throwable cause) {
        failure.compareAndSet(null, cause);
        beginClosing();
        while (true) {
            long g = gate.get();
            if ((g & GATE_PHASE) == TERMINATED) {
                return;
            }
            if (g == CLOSING && gate.compareAndSet(CLOSING, TERMINATED)) {
                break;
            }
            LockSupport.parkNanos(10_000L); // threads in io_submit / io_cancel are on their way out
        }
        teardown(failure.get());
    }

    /**
     * Destroys the kernel context and releases everything. Runs once, with the gate TERMINATED (nobody in
     * io_submit or io_cancel, and nobody can enter). After a failure, requests may still be in flight:
     * io_destroy waits for the kernel to finish with them first, and only then are their futures failed.
     */
    private void teardown(Throwable cause) {
        Throwable outcome = cause;
        boolean destroyed = false;
        try {
            reapLock.lock();
            try {
                reapDead = true; // nothing reads the completion ring any more: io_destroy unmaps it
            } finally {
                reapLock.unlock();
            }
            long ret = kernel.destroy();
            destroyed = ret == 0;
            if (ret < 0 && outcome == null) {
                outcome = new IOException("kaio: io_destroy failed with errno " + -ret);
            }
            if (cause != null) {
                failInFlight(cause);
            }
            withdrawQueued(new AsynchronousCloseException());
            for (int slot = 0; slot < depth; slot++) {
                if (slotFds[slot] >= 0) {
                    kernel.closeEventFd(slotFds[slot]);
                    slotFds[slot] = -1;
                }
            }
            if (reaperMode) {
                kernel.closeEventFd(controlFd);
            }
            if (destroyed) {
                kernel.release(); // if io_destroy failed, the kernel may still use the memory: keep it
            }
        } catch (RuntimeException | Error e) {
            outcome = outcome == null ? e : outcome;
        } finally {
            freeSlots.close(); // threads waiting for a slot give up
            if (outcome == null) {
                terminated.complete(null);
            } else {
                terminated.completeExceptionally(outcome);
            }
            // after terminated is complete: the submitter thread looks at it when it wakes, then ends
            Thread s = submitter.get();
            if (s != null) {
                LockSupport.unpark(s);
            }
            if (!reaperMode) {
                // after terminated is complete: a loop blocked in read(2) wakes and learns from collect() == -1
                signalApplicationEventFd();
            }
        }
    }

    /**
     * After a failure and io_destroy: fails the requests whose events will never come, wakes their
     * waiters, and waits until every delivery under way has finished and every waiter has left.
     */
    private void failInFlight(Throwable cause) {
        ClosedChannelException closed = new ClosedChannelException();
        closed.initCause(cause);
        for (int slot = 0; slot < depth; slot++) {
            while (true) {
                long w = slots.get(slot);
                int p = phase(w);
                if (p != SUBMITTING && p != SUBMITTED) {
                    break; // free, or delivered by whoever reaped it
                }
                if (slots.compareAndSet(slot, w, (w & ~PHASE) | COMPLETED)) {
                    Request r = requests[slot];
                    r.stagedBy = Thread.currentThread();
                    RequestFuture<?> f = r.future;
                    Object handler = r.handler;
                    Object attachment = r.attachment;
                    Object owner = r.owner;
                    Object buffers = r.buffers;
                    Object trace = r.trace;
                    byte kind = r.kind;
                    r.clear();
                    releaseAfterEvent(slot);
                    // here, not on the request's executor: teardown is ending
                    deliver(f, handler, attachment, null, owner, buffers, kind, trace, Long.MIN_VALUE, closed);
                    if ((w & CLAIMED) != 0) {
                        kernel.signalEventFd(slotFds[slot]);
                    }
                    break;
                }
            }
        }
        // deliveries under way finish, and waiters leave their slots' eventfds, before those are closed
        while (finishing.get() != 0 || freeSlots.available() < depth) {
            LockSupport.parkNanos(100_000L);
        }
    }
}
