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

import static dev.kaio.internal.core.EngineFixture.outcome;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The interleavings that hung or corrupted the first AioContext, as scenarios over the engine and a
 * fake kernel. Each runs to completion or throws; a hang is a failure too (the controlled-concurrency
 * tool reports a deadlock, the stress test a timeout). {@code RequestLifecycleFrayTest} explores their
 * interleavings; {@code RequestLifecycleStressTest} runs them many times on real threads.
 */
final class LifecycleScenarios {

    private LifecycleScenarios() {}

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    static void join(Thread... threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    /** A device thread that completes every read (4096 bytes) until stopped. */
    static Thread device(EngineFixture fx, AtomicBoolean stop) {
        return start("device", () -> {
            while (fx.kernel.completeNext(4096, stop::get)) {
                // next
            }
        });
    }

    static void stop(EngineFixture fx, AtomicBoolean stop, Thread device) throws InterruptedException {
        stop.set(true);
        fx.kernel.poke();
        device.join();
    }

    /**
     * Seen: a request submitted from a completion callback waited forever while another thread's
     * requests were refused at io_submit (the refused submitter gave its slot back without waking
     * anyone; the overflow queue was drained only after the next completion). Depth 1.
     */
    static void callbackSubmitWhileAnotherThreadIsRefused() throws Exception {
        EngineFixture fx = new EngineFixture(1, true);
        fx.kernel.refuse = r -> r.opcode == FakeKernel.POLL ? FakeKernel.EBADF : 0;
        AtomicBoolean stop = new AtomicBoolean();
        Thread device = device(fx, stop);
        List<Throwable> refusals = new CopyOnWriteArrayList<>();
        Thread refused = start("refused", () -> {
            for (int i = 0; i < 2; i++) {
                refusals.add(outcome(fx.poll("refused-" + i)));
            }
        });
        CompletableFuture<Object> second = fx.read("first").thenCompose(n -> fx.read("second"));
        check(Long.valueOf(4096).equals(second.join()), "the second read completed with " + second.join());
        refused.join();
        for (Throwable t : refusals) {
            check(t instanceof IOException, "a refused poll ended with " + t);
        }
        fx.engine.close();
        stop(fx, stop, device);
        fx.check();
    }

    /**
     * Seen: close() blocked forever when polls were submitted while it ran (its single cancel scan missed
     * them, or its io_cancel came before their io_submit).
     */
    static void closeWhilePollsAreSubmitted() throws Exception {
        EngineFixture fx = new EngineFixture(4, true);
        List<RequestFuture<Object>> polls = new CopyOnWriteArrayList<>();
        Thread a = start("poller-a", () -> polls.add(fx.poll("poll-a")));
        Thread b = start("poller-b", () -> polls.add(fx.poll("poll-b")));
        fx.engine.close();
        join(a, b);
        for (RequestFuture<Object> p : polls) {
            Throwable t = outcome(p);
            check(t instanceof AsynchronousCloseException || t instanceof ClosedChannelException,
                    "a poll ended with " + t);
        }
        check(fx.kernel.inKernel() == 0, "requests left in the kernel: " + fx.kernel.inKernel());
        check(fx.kernel.openEventFds() == 0, "eventfds left open: " + fx.kernel.openEventFds());
        fx.check();
    }

    /**
     * Seen: in eventfd mode, a loop blocked in read(2) on the eventfd was never woken by close(), and the
     * eventfd was closed under it.
     */
    static void eventFdLoopLearnsOfClose() throws Exception {
        EngineFixture fx = new EngineFixture(2, false);
        int fd = fx.engine.applicationEventFd();
        AtomicReference<Integer> last = new AtomicReference<>();
        Thread loop = start("loop", () -> {
            while (true) {
                int r = fx.kernel.applicationRead(fd); // the application's read(2)
                if (r < 0) {
                    last.set(r);
                    return;
                }
                int n = fx.engine.collect(0);
                if (n < 0) {
                    last.set(n);
                    return;
                }
            }
        });
        RequestFuture<Object> f = fx.read("r");
        Thread device = start("device", () -> fx.kernel.completeNext(4096, () -> false));
        check(Long.valueOf(4096).equals(f.join()), "the read completed");
        fx.engine.close();
        join(loop, device);
        check(Integer.valueOf(-1).equals(last.get()), "the loop ended with " + last.get() + ", not collect() == -1");
        check(fx.kernel.openEventFds() == 0, "the eventfd was not closed after the loop stopped");
        check(fx.engine.collect(0) == -1, "collect() after close is -1");
        fx.check();
    }

    /**
     * Seen: when collecting failed, the futures of requests still in flight were completed (their
     * callbacks may free the buffers) before io_destroy had waited for the kernel to finish with them.
     */
    static void failureFailsFuturesOnlyAfterDestroy() throws Exception {
        EngineFixture fx = new EngineFixture(2, true);
        RequestFuture<Object> a = fx.read("a");
        RequestFuture<Object> b = fx.read("b");
        fx.kernel.failNextReap = 5; // EIO-like: the next reap fails
        Thread device = start("device", () -> {
            fx.kernel.complete(a, 4096); // wakes the reaper (or whoever), whose reap fails
            fx.kernel.awaitDestroyBegun();    // io_destroy waits for b: complete it only now
            fx.kernel.complete(b, 4096);
        });
        Throwable closed = null;
        try {
            fx.engine.close();
        } catch (IOException e) {
            closed = e;
        }
        device.join();
        check(closed != null, "close() reported no failure");
        for (RequestFuture<Object> f : List.of(a, b)) {
            Throwable t = outcome(f);
            check(t instanceof ClosedChannelException && t.getCause() != null,
                    "a request of the failed context ended with " + t);
        }
        fx.check(); // includes: no request ended while the kernel owned it
    }

    /**
     * Seen (in the code): a cancel racing a request's end could io_cancel the next request in the same
     * slot. Depth 1: p1's cancel races its completion; p2 then takes the slot.
     */
    static void cancelNeverHitsTheSlotsNextRequest() throws Exception {
        EngineFixture fx = new EngineFixture(1, true);
        RequestFuture<Object> p1 = fx.poll("p1");
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread canceller = start("canceller", () -> cancelled.set(p1.cancel(true)));
        Thread device = start("device", () -> fx.kernel.complete(p1, 1)); // the poll becomes ready
        Throwable first = outcome(p1);
        RequestFuture<Object> p2 = fx.poll("p2");
        join(canceller, device);
        check(!fx.kernel.cancelledFutures().contains(p2), "io_cancel hit the slot's next request");
        check(cancelled.get() == (first instanceof CancellationException),
                "cancel() returned " + cancelled.get() + " but p1 ended with " + first);
        fx.engine.close();
        check(outcome(p2) instanceof AsynchronousCloseException, "close cancels p2");
        fx.check();
    }

    /**
     * Seen (in the code): a request queued for a slot and then cancelled waited for a slot only to be
     * discarded. Depth 2: a poll holds one slot, a callback submits two reads (one queued), the queued one
     * is cancelled: it is withdrawn at once and never submitted.
     */
    static void queuedRequestIsWithdrawnWithoutASlot() throws Exception {
        EngineFixture fx = new EngineFixture(2, true);
        RequestFuture<Object> p0 = fx.poll("p0");
        CompletableFuture<RequestFuture<Object>> third = new CompletableFuture<>();
        RequestFuture<Object> r1 = fx.read("r1");
        r1.thenRun(() -> {
            fx.read("r2");
            third.complete(fx.read("r3")); // no slot left: queued
        });
        fx.kernel.complete(r1, 4096);
        RequestFuture<Object> r3 = third.join();
        check(r3.cancel(true), "a queued request is withdrawn by cancel");
        check(r3.isCancelled(), "the withdrawn request's future is cancelled");
        int submitted = fx.kernel.submitThreads().size();
        check(submitted == 3, "expected p0, r1, r2 submitted, saw " + submitted);
        AtomicBoolean stop = new AtomicBoolean();
        Thread device = device(fx, stop); // completes r2: its slot frees; r3 must not take it
        fx.engine.close();
        stop(fx, stop, device);
        check(fx.kernel.submitThreads().size() == 3, "the withdrawn request was submitted anyway");
        check(outcome(p0) instanceof AsynchronousCloseException, "close cancels p0");
        fx.check();
    }

    /**
     * Seen (in the code): a RWF_NOWAIT request refused with EAGAIN was submitted again, blocking, by the
     * thread that completes futures. Now the submitter thread does it.
     */
    static void nowaitRetryIsSubmittedByTheSubmitterThread() throws Exception {
        EngineFixture fx = new EngineFixture(2, true);
        RequestFuture<Object> f = fx.submit("nowait", FakeKernel.READ, EngineFixture.RWF_NOWAIT, true);
        fx.kernel.complete(f, -FakeKernel.EAGAIN); // would block
        Thread device = start("device", () -> fx.kernel.completeNext(4096, () -> false)); // the retry
        check(Long.valueOf(4096).equals(f.join()), "the retried read completed");
        device.join();
        List<Thread> submitters = fx.kernel.submitThreads();
        check(submitters.size() == 2, "submitted " + submitters.size() + " times");
        check(submitters.get(1).getName().startsWith("kaio-submitter-"),
                "the retry was submitted by " + submitters.get(1).getName());
        fx.engine.close();
        fx.check();
    }

    /**
     * A completion callback that submits a buffered read (which io_submit performs synchronously) must
     * not make that io_submit itself: it would stall every completion its thread collects. The submitter
     * thread makes it; an O_DIRECT-like read from the same callback is submitted on the callback's thread.
     */
    static void callbacksBlockingSubmissionGoesToTheSubmitterThread() throws Exception {
        EngineFixture fx = new EngineFixture(4, true);
        CompletableFuture<RequestFuture<Object>> buffered = new CompletableFuture<>();
        CompletableFuture<RequestFuture<Object>> direct = new CompletableFuture<>();
        CompletableFuture<Thread> callbackThread = new CompletableFuture<>();
        RequestFuture<Object> first = fx.read("first");
        first.thenRun(() -> {
            callbackThread.complete(Thread.currentThread());
            buffered.complete(fx.submit("buffered", FakeKernel.READ, 0, false, true));
            direct.complete(fx.submit("direct", FakeKernel.READ, 0, false, false));
        });
        AtomicBoolean stop = new AtomicBoolean();
        Thread device = device(fx, stop);
        check(Long.valueOf(4096).equals(buffered.join().join()), "the buffered read completed");
        check(Long.valueOf(4096).equals(direct.join().join()), "the direct read completed");
        List<Thread> submitters = fx.kernel.submitThreads();
        check(submitters.size() == 3, "submitted " + submitters.size() + " times");
        Thread cb = callbackThread.join();
        check(submitters.stream().filter(t -> t == cb).count() == 1,
                "the callback's thread " + cb.getName() + " made exactly one io_submit (the direct read): " + submitters);
        check(submitters.stream().anyMatch(t -> t.getName().startsWith("kaio-submitter-")),
                "the buffered read was submitted by the submitter thread: " + submitters);
        fx.engine.close();
        stop(fx, stop, device);
        fx.check();
    }

    /**
     * A batch is one io_submit when its slots are free, and each of its requests ends exactly once even
     * when close() runs during the batch.
     */
    static void batchIsOneSubmitAndEndsExactlyOnceUnderClose() throws Exception {
        EngineFixture fx = new EngineFixture(4, true);
        AtomicBoolean stop = new AtomicBoolean();
        Thread device = device(fx, stop);
        List<RequestFuture<?>> first = fx.readAll("first", 3);
        for (RequestFuture<?> f : first) {
            check(Long.valueOf(4096).equals(f.join()), "a batch read completed with " + f.join());
        }
        check(fx.kernel.batchSizes().equals(List.of(3)), "three free slots, one io_submit: " + fx.kernel.batchSizes());
        List<RequestFuture<?>> second = new CopyOnWriteArrayList<>();
        Thread batcher = start("batcher", () -> second.addAll(fx.readAll("second", 4)));
        fx.engine.close();
        batcher.join();
        for (RequestFuture<?> f : second) {
            Throwable t = outcome(f);
            check(t == null || t instanceof ClosedChannelException, "a batch read ended with " + t);
        }
        stop(fx, stop, device);
        fx.check();
    }

    /**
     * Completions on an executor: delivered there, each exactly once, and close() returns only once the
     * executor has delivered them all.
     */
    static void executorDeliversBeforeCloseReturns() throws Exception {
        EngineFixture fx = new EngineFixture(2, true);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> new Thread(r, "completions"));
        try {
            List<Thread> ranOn = new CopyOnWriteArrayList<>();
            List<RequestFuture<Object>> fs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Request spec = fx.spec("e" + i, FakeKernel.READ);
                spec.executor = pool;
                RequestFuture<Object> f = fx.engine.submit(spec);
                ((EngineFixture.Owner) spec.owner).future = f;
                f.thenRun(() -> ranOn.add(Thread.currentThread()));
                fs.add(f);
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread device = device(fx, stop);
            fx.engine.close();
            for (RequestFuture<Object> f : fs) {
                check(f.isDone(), "close() returned before the executor completed a request");
            }
            stop(fx, stop, device);
            for (Thread t : ranOn) {
                check(t.getName().equals("completions"), "a completion ran on " + t.getName());
            }
            fx.check();
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The reaper's timer, which it keeps only while requests routed to slot eventfds are in flight: a
     * thread that waited on its last request has its next one routed to its slot's eventfd, and then
     * does not wait on it (it attaches a callback and waits on something else), while the reaper may
     * be going into its wait without a timer at that very moment. The request must still complete:
     * the submitter sees the reaper without a timer and wakes it, or the reaper sees the routed slot
     * and keeps its timer, whose ticks find the event unreaped and reap it.
     */
    static void routedRequestNobodyWaitsOnCompletes() throws Exception {
        EngineFixture fx = new EngineFixture(2, true);
        // completes the two reads and ends, so that if the reaper lost its wake-up every thread would
        // be blocked for good (a deadlock the tool reports, a timeout in the stress test)
        Thread device = start("device", () -> {
            fx.kernel.completeNext(4096, () -> false);
            fx.kernel.completeNext(4096, () -> false);
        });
        CountDownLatch completed = new CountDownLatch(1);
        Thread t = start("waits-then-not", () -> {
            outcome(fx.read("waited")); // a join that waits: this thread's next request is routed
            fx.read("not-waited").whenComplete((n, e) -> completed.countDown());
        });
        t.join();
        completed.await();
        device.join();
        fx.engine.close();
        fx.check();
    }

    /**
     * Every future completes exactly once, under a mix of submitters that wait, callbacks that submit,
     * cancels and close, with completions delivered in any order.
     */
    static void mixedLoadThenClose(int threads, int perThread) throws Exception {
        EngineFixture fx = new EngineFixture(2, true);
        AtomicBoolean stop = new AtomicBoolean();
        Thread device = device(fx, stop);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(start("worker-" + t, () -> {
                for (int i = 0; i < perThread; i++) {
                    RequestFuture<Object> r = fx.read("w" + id + "-" + i);
                    if (i % 3 == 0) {
                        RequestFuture<Object> p = fx.poll("p" + id + "-" + i);
                        p.cancel(true);
                        outcome(p);
                    }
                    if (i % 2 == 0) {
                        r.thenRun(() -> fx.read("cb" + id));
                    }
                    outcome(r);
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        fx.engine.close();
        stop(fx, stop, device);
        fx.check();
    }
}
