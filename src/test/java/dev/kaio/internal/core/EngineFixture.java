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
    final List<Owner> owners = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();

    EngineFixture(int depth, boolean reaperThread) {
        this(depth, reaperThread, 1_000_000L);
    }

    EngineFixture(int depth, boolean reaperThread, long tickNanos) {
        int fd = kernel.createEventFd();
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
        Owner owner = new Owner(name);
        owners.add(owner);
        RequestFuture<Object> f = engine.submit(owner, opcode, 3, KIND, null, 0, 0, rwFlags, 0, retryWithoutNowait,
                mayBlock);
        owner.future = f;
        return f;
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
        public void ended(Object owner) {
            Owner o = (Owner) owner;
            o.ended.incrementAndGet();
            RequestFuture<?> f = o.future;
            if (f != null && kernel.owns(f)) {
                problems.add(o + " ended while the kernel still owned it");
            }
        }
    }
}
