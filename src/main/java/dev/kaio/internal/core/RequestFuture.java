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

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of one request. Besides being an ordinary {@link CompletableFuture} (dependent stages
 * are plain ones), it knows its request: a platform thread that waits on it ({@link #join},
 * {@link #get}) reaps completions itself instead of waiting for another thread to hand it the result
 * (see {@link RequestEngine}), and {@link #cancel} asks the kernel (io_cancel).
 *
 * <p>Completed exactly once, by the engine, after the kernel has returned the request's event (or
 * refused it, or it never reached the kernel): when it completes, the kernel no longer uses the
 * request's buffers.
 */
public class RequestFuture<T> extends CompletableFuture<T> {

    // Where the request is: waiting for a slot (in the engine's queue, or taken from it by the submitter
    // thread), or in a slot (slot and generation valid). Changes by CAS only.
    static final int QUEUED = 0;
    static final int TAKEN = 1;
    static final int IN_SLOT = 2;
    static final int WITHDRAWN = 3;   // cancelled or failed before it got a slot

    private static final VarHandle WHERE;

    static {
        try {
            WHERE = MethodHandles.lookup().findVarHandle(RequestFuture.class, "where", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final RequestEngine engine;
    final Object owner;
    private volatile int where;
    volatile int slot = -1;
    volatile int generation;
    Request queuedCopy;   // while QUEUED: its copy in the engine's queue (published by the queue)

    RequestFuture(RequestEngine engine, Object owner, int where) {
        this.engine = engine;
        this.owner = owner;
        this.where = where;
    }

    /**
     * A future for a request of {@code owner} to be submitted with
     * {@link RequestEngine#submit(Request, RequestFuture)}: for adapters that turn the kernel's result
     * into their own (they override {@link #succeedInternal} and {@link #failInternal}).
     *
     * @param engine the engine that will complete it
     * @param owner  the request's owner
     */
    protected RequestFuture(RequestEngine engine, Object owner) {
        this(engine, owner, TAKEN);
    }

    int where() {
        return where;
    }

    boolean moveFrom(int from, int to) {
        return WHERE.compareAndSet(this, from, to);
    }

    void placed(int slot, int generation) {
        this.slot = slot;
        this.generation = generation;
        this.where = IN_SLOT;
    }

    /** Waits, reaping completions on the way where this thread can, then returns the result. */
    @Override
    public T join() {
        if (!isDone()) {
            engine.awaitUninterruptibly(this);
        }
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            engine.await(this, 0L);
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!isDone()) {
            long nanos = unit.toNanos(timeout);
            long deadline = System.nanoTime() + Math.max(nanos, 0L);
            engine.await(this, deadline == 0L ? 1L : deadline);
            return super.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return super.get(timeout, unit);
    }

    /** Waits (reaping where this thread can) until completed, whatever the outcome. */
    void awaitQuietly() {
        engine.awaitUninterruptibly(this);
        try {
            super.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            // the outcome is the caller's business
        }
    }

    /** Parks until completed or {@code nanos} passed (a timed wait that does not reap). */
    void parkAtMost(long nanos) {
        try {
            super.get(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
            // done (either way), or not yet: the caller looks again
        }
    }

    /**
     * Asks the kernel to cancel the request (io_cancel). True if it did: then the future has completed
     * with a {@link java.util.concurrent.CancellationException}. The kernel cancels polls; file reads,
     * writes and syncs cannot be cancelled once submitted (false, and they complete normally). A
     * request still waiting for a slot is withdrawn.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return !isDone() && engine.cancel(this);
    }

    // Only the engine completes a request's future, when the kernel is done with the request: completing
    // it from outside (or by a timeout) would hand the buffers back while the kernel may still use them.

    /**
     * The engine completes the request with {@code value}. Adapters may override it to transform the
     * value first; they must end with {@code super.succeedInternal}.
     *
     * @param value the result
     * @return whether this call completed the future
     */
    protected boolean succeedInternal(T value) {
        return super.complete(value);
    }

    /**
     * The engine fails the request. Adapters may override it; they must end with
     * {@code super.failInternal}.
     *
     * @param failure why
     * @return whether this call completed the future
     */
    protected boolean failInternal(Throwable failure) {
        return super.completeExceptionally(failure);
    }

    /** Not supported: kaio completes the future when the kernel has finished the request. */
    @Override
    public boolean complete(T value) {
        throw new UnsupportedOperationException(OUTSIDE);
    }

    /** Not supported: kaio completes the future when the kernel has finished the request. */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw new UnsupportedOperationException(OUTSIDE);
    }

    /** Not supported: kaio completes the future when the kernel has finished the request. */
    @Override
    public void obtrudeValue(T value) {
        throw new UnsupportedOperationException(OUTSIDE);
    }

    /** Not supported: kaio completes the future when the kernel has finished the request. */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException(OUTSIDE);
    }

    /** Not supported: kaio completes the future when the kernel has finished the request. */
    @Override
    public CompletableFuture<T> completeAsync(java.util.function.Supplier<? extends T> supplier) {
        throw new UnsupportedOperationException(OUTSIDE);
    }

    /** Not supported: kaio completes the future when the kernel has finished the request. */
    @Override
    public CompletableFuture<T> completeAsync(java.util.function.Supplier<? extends T> supplier,
            java.util.concurrent.Executor executor) {
        throw new UnsupportedOperationException(OUTSIDE);
    }

    /**
     * Returns a new stage that completes like this one, or with a {@link TimeoutException} after the
     * timeout; this future itself keeps waiting for the kernel (its buffers are in use until then).
     */
    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        return thenApply(x -> x).orTimeout(timeout, unit);
    }

    /**
     * Returns a new stage that completes like this one, or with {@code value} after the timeout; this
     * future itself keeps waiting for the kernel.
     */
    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        return thenApply(x -> x).completeOnTimeout(value, timeout, unit);
    }

    private static final String OUTSIDE = "a kaio request's future is completed by kaio once the kernel has finished "
            + "the request (its buffers are in use until then); complete a dependent stage instead";

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new DependentFuture<>(this);
    }

    @Override
    public String toString() {
        return super.toString() + (where == IN_SLOT ? "[slot " + slot + ", generation " + generation + "]" : "");
    }

    /**
     * A stage that depends on a request ({@code read(...).thenApply(...)}): waiting on it first waits on
     * the request the way {@link RequestFuture} does, so that the thread reaps instead of parking.
     */
    static final class DependentFuture<T> extends CompletableFuture<T> {
        private final RequestFuture<?> source;

        DependentFuture(RequestFuture<?> source) {
            this.source = source;
        }

        @Override
        public T join() {
            try {
                awaitSource(false, 0L);
            } catch (InterruptedException e) {
                throw new AssertionError(e); // not thrown when not interruptible
            }
            return super.join();
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            awaitSource(true, 0L);
            return super.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            long nanos = unit.toNanos(timeout);
            long deadline = System.nanoTime() + Math.max(nanos, 0L);
            awaitSource(true, deadline == 0L ? 1L : deadline);
            return super.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        /*
         * A stage can complete without its request: orTimeout, completeOnTimeout, complete() or cancel()
         * from another thread. A thread waiting on the request for it (in read(2) on the slot's eventfd,
         * or in io_getevents) would not notice until the request completed, which for a poll may be
         * never: so it waits on the request in slices of SLICE_NANOS and looks at the stage between
         * them. A wait that comes back before its slice ended means the request is done, or that this
         * thread should park instead (then the stage's own completion, either way, unparks it).
         */
        private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

        private void awaitSource(boolean interruptible, long deadline) throws InterruptedException {
            while (!isDone() && !source.isDone()) {
                long sliceEnd = sliceEnd(deadline);
                if (interruptible) {
                    source.engine.await(source, sliceEnd);
                } else {
                    source.engine.awaitUninterruptibly(source, sliceEnd);
                }
                if (sliceEndedEarly(sliceEnd, deadline)) {
                    return;
                }
            }
        }

        private static long sliceEnd(long deadline) {
            long end = System.nanoTime() + SLICE_NANOS;
            if (deadline != 0L && deadline - end < 0) {
                end = deadline;
            }
            return end == 0L ? 1L : end; // 0 means no deadline
        }

        /** True if the caller should stop waiting on the request: back early, or at its own deadline. */
        private static boolean sliceEndedEarly(long sliceEnd, long deadline) {
            long now = System.nanoTime();
            return now - sliceEnd < 0 || (deadline != 0L && now - deadline >= 0);
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new DependentFuture<>(source);
        }
    }
}
