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
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link RequestEngine} over a {@link FakeKernel}, with outcomes that check the engine's invariants as
 * requests end: each request ends exactly once (its owner counts), and never while the kernel still
 * owns it (its buffers). {@link #check()} asserts them all, plus the kernel's own checks.
 */
final class EngineFixture {

    static final byte KIND = 0;
    static final int RWF_NOWAIT = 8;

    /** One request's owner: counts how many times it was ended, and notes if the kernel still owned it. */
    static final class Owner {
        final String name;
        final AtomicInteger ended = new AtomicInteger();
        final AtomicInteger buffersDone = new AtomicInteger();
        volatile RequestFuture<?> future;

        Owner(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    final FakeKernel kernel = new FakeKernel();
    final RequestEngine engine;
    /** The reaper's eventfd (reaper mode) or the application's (eventfd mode). */
    final int controlFd;
    final List<Owner> owners = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();

    EngineFixture(int depth, boolean reaperThread) {
        this(depth, reaperThread, 1_000_000L);
    }

    EngineFixture(int depth, boolean reaperThread, long tickNanos) {
        int fd = kernel.createEventFd();
        controlFd = fd;
        engine = new RequestEngine(kernel, depth, new CheckingOutcomes(), reaperThread, fd, tickNanos, "test");
    }

    /** Submits a read (opcode 0) of fd 3. */
    RequestFuture<Object> read(String name) {
        return submit(name, FakeKernel.READ, 0, false);
    }

    /** Submits a poll (opcode 5), which only io_cancel (or the test) completes. */
    RequestFuture<Object> poll(String name) {
        return submit(name, FakeKernel.POLL, 0, false);
    }

    RequestFuture<Object> submit(String name, short opcode, int rwFlags, boolean retryWithoutNowait) {
        return submit(name, opcode, rwFlags, retryWithoutNowait, false);
    }

    /** {@code mayBlock}: a buffered read or write, which io_submit performs synchronously. */
    RequestFuture<Object> submit(String name, short opcode, int rwFlags, boolean retryWithoutNowait,
            boolean mayBlock) {
        Request spec = spec(name, opcode);
        spec.rwFlags = rwFlags;
        spec.retryWithoutNowait = retryWithoutNowait;
        spec.mayBlock = mayBlock;
        RequestFuture<Object> f = engine.submit(spec);
        ((Owner) spec.owner).future = f;
        return f;
    }

    /** A description of a request on fd 3 by a new owner. */
    Request spec(String name, short opcode) {
        Owner owner = new Owner(name);
        owners.add(owner);
        Request spec = new Request();
        spec.owner = owner;
        spec.buffers = owner; // so that buffersDone can check its order against the future
        spec.opcode = opcode;
        spec.fd = 3;
        spec.kind = KIND;
        return spec;
    }

    /** Submits reads with one submitAll; returns their futures. */
    List<RequestFuture<?>> readAll(String name, int n) {
        Request[] specs = new Request[n];
        RequestFuture<?>[] futures = new RequestFuture<?>[n];
        for (int i = 0; i < n; i++) {
            specs[i] = spec(name + "-" + i, FakeKernel.READ);
            futures[i] = engine.newFuture(specs[i].owner);
            ((Owner) specs[i].owner).future = futures[i];
        }
        engine.submitAll(specs, futures, n);
        return List.of(futures);
    }

    /** Joins, returning the exception it ended with (null: it succeeded). */
    static Throwable outcome(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    /** Every owner ended exactly once, the kernel saw nothing wrong, and no request ended while owned. */
    void check() {
        List<String> all = new ArrayList<>(problems);
        for (Owner o : owners) {
            if (o.ended.get() != 1) {
                all.add(o + " ended " + o.ended.get() + " times");
            }
            if (o.buffersDone.get() != 1) {
                all.add(o + "'s buffers were given back " + o.buffersDone.get() + " times");
            }
            if (o.future != null && !o.future.isDone()) {
                all.add(o + "'s future is not done");
            }
        }
        all.addAll(kernel.violations());
        if (!all.isEmpty()) {
            throw new AssertionError(String.join("\n", all));
        }
    }

    private final class CheckingOutcomes implements Outcomes {
        @Override
        public Throwable refused(Request r, int errno) {
            return new IOException("refused with errno " + errno);
        }

        @Override
        public Throwable failure(Request r, long res, boolean cancelRequested, boolean byClose, boolean closing) {
            boolean cancelled = cancelRequested && (res == -FakeKernel.ECANCELED
                    || (res == 0 && r.opcode == FakeKernel.POLL));
            if (cancelled) {
                return byClose ? new AsynchronousCloseException() : new CancellationException("cancelled");
            }
            return res < 0 ? new IOException("failed with errno " + -res) : null;
        }

        @Override
        public Object value(byte kind, long res) {
            return res;
        }

        @Override
        public boolean retryWithoutNowait(Request r, long res) {
            if (res == -FakeKernel.EAGAIN && (r.rwFlags & RWF_NOWAIT) != 0 && r.retryWithoutNowait) {
                r.rwFlags &= ~RWF_NOWAIT;
                return true;
            }
            return false;
        }

        @Override
        public boolean cancelOnClose(Request r) {
            return r.opcode == FakeKernel.POLL;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void handle(Object handler, Object attachment, long result, Throwable failure) {
            ((java.util.function.BiConsumer<Long, Throwable>) handler).accept(result, failure);
        }

        @Override
        public void buffersDone(Object buffers) {
            Owner o = (Owner) buffers; // the fixture passes the owner as the request's buffers
            o.buffersDone.incrementAndGet();
            RequestFuture<?> f = o.future;
            if (f != null && kernel.owns(f)) {
                problems.add(o + "'s buffers were given back while the kernel still owned them");
            }
            if (f != null && f.isDone()) {
                problems.add(o + "'s buffers were given back after its future completed");
            }
        }

        @Override
        public void ended(Object owner, Object buffers, Object trace, long result) {
            Owner o = (Owner) owner;
            o.ended.incrementAndGet();
            if (o.buffersDone.get() != 1) {
                problems.add(o + " ended before its buffers were given back");
            }
            RequestFuture<?> f = o.future;
            if (f != null && kernel.owns(f)) {
                problems.add(o + " ended while the kernel still owned it");
            }
        }
    }
}
