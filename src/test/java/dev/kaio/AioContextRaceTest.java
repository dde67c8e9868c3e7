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

import static java.nio.file.StandardOpenOption.READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kaio.testing.Fds;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The races that hung the first AioContext, on the real kernel, bounded: each scenario runs many
 * times, and a hang is a failure (every wait has a guard, which is not a performance expectation).
 * The same scenarios are explored systematically over a fake kernel by
 * {@code dev.kaio.internal.core.RequestLifecycleFrayTest}.
 */
class AioContextRaceTest {

    private static final int GUARD_SECONDS = 20;

    /**
     * How many rounds of each scenario: {@code n} scaled by {@code kaio.race.percent} (default 100). The
     * mutation-testing profile runs them at 10%, since each mutant reruns every test that covers it.
     */
    private static int rounds(int n) {
        return Math.max(1, n * Integer.getInteger("kaio.race.percent", 100) / 100);
    }

    private static <T> T within(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not complete within " + GUARD_SECONDS + " s (a lost wake-up)", e);
        }
    }

    private static Throwable outcome(CompletableFuture<?> f) throws Exception {
        try {
            within(f, "a request");
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    private static void closeWithin(AutoCloseable c, String what) throws Exception {
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                c.close();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, r -> Thread.ofPlatform().daemon().name("closer").start(r)); // not the common pool: one thread on 2 CPUs
        within(closed, what);
    }

    /**
     * A request submitted from a completion callback, at depth 1, while another thread keeps submitting
     * requests the kernel refuses at io_submit (a poll on a closed descriptor: EBADF). Hung within a few
     * dozen rounds before: the refused submitter gave its slot back without waking anyone.
     */
    @Test
    void aCallbackSubmissionCompletesWhileOtherSubmissionsAreRefused() throws Exception {
        Path path = TestFiles.newDirectory("refused").resolve("data");
        Files.write(path, TestFiles.randomBytes(1, 8192));
        // a descriptor number far beyond any open file (a closed one could be reused by the context itself)
        int closedFd = 0x7fff0000;
        try (AioContext ctx = AioContext.open(1); AioFile file = AioFile.open(ctx, path, READ);
                Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(4096);
            MemorySegment b = arena.allocate(4096);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger refusals = new AtomicInteger();
            List<Throwable> unexpected = new CopyOnWriteArrayList<>();
            Thread refused = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        ctx.poll(closedFd, PollEvents.POLLIN).get(GUARD_SECONDS, TimeUnit.SECONDS);
                        unexpected.add(new AssertionError("a poll of a closed descriptor succeeded"));
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof AioException ae && ae.errno() == Errno.EBADF) {
                            refusals.incrementAndGet();
                        } else {
                            unexpected.add(e.getCause());
                        }
                    } catch (Exception e) {
                        unexpected.add(e);
                    }
                }
            }, "refused-submitter");
            refused.start();
            try {
                // scaled down (mutation testing), but on until the other thread has been refused at least once
                for (int round = 0; round < rounds(300) || refusals.get() == 0 && round < 300; round++) {
                    CompletableFuture<Integer> chain = file.read(a, 0).thenCompose(n -> file.read(b, 4096));
                    assertEquals(4096, within(chain, "round " + round + "'s callback-submitted read"));
                }
            } finally {
                stop.set(true);
                refused.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            }
            assertFalse(refused.isAlive(), "the refused submitter is stuck");
            assertTrue(unexpected.isEmpty(), "unexpected: " + unexpected);
            assertTrue(refusals.get() > 0, "no submission was refused: the scenario did not happen");
        }
    }

    /**
     * close() while three threads submit polls on a pipe nobody writes. Hung within 1 to 14 rounds before:
     * close cancelled what was in flight once, and a poll submitted just after was never cancelled.
     */
    @Test
    void closeReturnsWhilePollsAreBeingSubmitted() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            for (int round = 0; round < rounds(100); round++) {
                AioContext ctx = AioContext.open(8);
                List<CompletableFuture<Integer>> polls = new CopyOnWriteArrayList<>();
                List<Thread> pollers = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    Thread p = new Thread(() -> {
                        for (int i = 0; i < 2; i++) {
                            polls.add(ctx.poll(pipe[0], PollEvents.POLLIN));
                        }
                    }, "poller-" + t);
                    pollers.add(p);
                    p.start();
                }
                closeWithin(ctx, "round " + round + "'s close()");
                for (Thread p : pollers) {
                    p.join();
                }
                for (CompletableFuture<Integer> p : polls) {
                    Throwable t = outcome(p);
                    assertTrue(t instanceof AsynchronousCloseException || t instanceof ClosedChannelException,
                            "a poll ended with " + t);
                }
                assertEquals(0, ctx.inFlight());
            }
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    /**
     * Eventfd mode, the loop the javadoc recommends: a thread blocked in read(2) on eventFd(), then
     * processCompletions(). close() from another thread must wake it; processCompletions() then says -1
     * and closes the eventfd, which the loop no longer touches. Before, the loop was never woken and the
     * eventfd was closed under it.
     */
    @Test
    void anEventFdLoopIsWokenByCloseAndTheDescriptorClosedAfterIt() throws Exception {
        Path path = TestFiles.newDirectory("efdclose").resolve("data");
        Files.write(path, new byte[16 * 4096]);
        for (int round = 0; round < rounds(50); round++) {
            AioContext ctx = AioContext.open(4, AioContext.Options.defaults().eventFd());
            int efd = ctx.eventFd();
            AtomicReference<Object> ended = new AtomicReference<>();
            Thread loop = new Thread(() -> {
                try {
                    while (true) {
                        Fds.readEventFd(efd);
                        if (ctx.processCompletions() < 0) {
                            ended.set("stopped");
                            return;
                        }
                    }
                } catch (Exception e) {
                    ended.set(e);
                }
            }, "eventfd-loop");
            loop.start();
            try (AioFile file = AioFile.open(ctx, path, READ); Arena arena = Arena.ofShared()) {
                List<CompletableFuture<Integer>> reads = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    reads.add(file.read(arena.allocate(4096), i * 4096L));
                }
                for (CompletableFuture<Integer> r : reads) {
                    assertEquals(4096, within(r, "a read in eventfd mode"));
                }
            }
            closeWithin(ctx, "close() in eventfd mode");
            loop.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            assertFalse(loop.isAlive(), "the loop blocked in read(2) on the eventfd was not woken by close()");
            assertEquals("stopped", ended.get());
            assertEquals(-1, ctx.eventFd(), "the eventfd is closed once the loop saw -1");
            Path link = Path.of("/proc/self/fd/" + efd);
            assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && Files.readSymbolicLink(link).toString().contains("eventfd"),
                    "descriptor " + efd + " is still an eventfd after the loop stopped");
            assertEquals(-1, ctx.processCompletions(), "processCompletions() after close is harmless");
        }
    }

    /**
     * The waiting thread reaps: a platform thread that waits on its own reads completes them itself
     * (read from the ring), and everything ends exactly once under a mix of waiters, callback chains,
     * cancels of polls and a close at the end.
     */
    @Test
    void cancelStormsCallbackChainsAndWaitersThenClose() throws Exception {
        Path path = TestFiles.newDirectory("storm").resolve("data");
        Files.write(path, TestFiles.randomBytes(3, 64 * 4096));
        int[] pipe = Fds.pipe();
        try (Arena arena = Arena.ofShared()) {
            for (int round = 0; round < rounds(20); round++) {
                AioContext ctx = AioContext.open(8);
                AioFile file = AioFile.open(ctx, path, READ);
                AtomicInteger completions = new AtomicInteger();
                List<CompletableFuture<?>> all = new CopyOnWriteArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int id = t;
                    Thread th = new Thread(() -> {
                        MemorySegment buf = arena.allocate(4096);
                        for (int i = 0; i < 50; i++) {
                            CompletableFuture<Integer> r = file.read(buf, ((id * 50 + i) % 64) * 4096L);
                            all.add(r);
                            r.whenComplete((n, e) -> completions.incrementAndGet());
                            if (i % 5 == 0) {
                                CompletableFuture<Integer> p = ctx.poll(pipe[0], PollEvents.POLLIN);
                                all.add(p);
                                p.cancel(true);
                            }
                            if (id % 2 == 0) {
                                r.join();
                            }
                        }
                    }, "storm-" + t);
                    threads.add(th);
                    th.start();
                }
                for (Thread th : threads) {
                    th.join();
                }
                file.close();
                closeWithin(ctx, "close after the storm");
                for (CompletableFuture<?> f : all) {
                    assertTrue(f.isDone(), "a future is not done after close()");
                    Throwable t = outcome(f);
                    if (t != null) {
                        assertTrue(t instanceof CancellationException || t instanceof AsynchronousCloseException,
                                "unexpected outcome " + t);
                    }
                }
                assertEquals(200, completions.get(), "every read's callback ran exactly once");
            }
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    /** A callback that waits on a request this same thread reaped but has not delivered yet does not deadlock. */
    @Test
    void aCallbackMayWaitOnARequestReapedInTheSameBatch() throws Exception {
        Path path = TestFiles.newDirectory("nested").resolve("data");
        Files.write(path, new byte[8 * 4096]);
        try (AioContext ctx = AioContext.open(8); AioFile file = AioFile.open(ctx, path, READ);
                Arena arena = Arena.ofShared()) {
            for (int round = 0; round < rounds(200); round++) {
                CompletableFuture<Integer> first = file.read(arena.allocate(4096), 0);
                CompletableFuture<Integer> second = file.read(arena.allocate(4096), 4096);
                CompletableFuture<Integer> both = first.thenApply(n -> n + second.join());
                assertEquals(8192, within(both, "a callback joining its batch-mate"));
            }
        }
    }

    /** get() is interruptible: at once when interrupted before, and while waiting on a poll. */
    @Test
    void getIsInterruptible() throws Exception {
        int[] pipe = Fds.pipe();
        try (AioContext ctx = AioContext.open(2)) {
            CompletableFuture<Integer> p = ctx.poll(pipe[0], PollEvents.POLLIN);
            Thread.currentThread().interrupt();
            org.junit.jupiter.api.Assertions.assertThrows(InterruptedException.class, p::get, "interrupted before");
            assertFalse(Thread.interrupted(), "the interrupt status is cleared, as CompletableFuture.get does");
            Thread waiter = Thread.currentThread();
            CompletableFuture<Object> interrupter = CompletableFuture.runAsync(() -> {
                while (!p.isDone() && ctx.inFlight() == 0) {
                    Thread.onSpinWait();
                }
                try {
                    Thread.sleep(50); // let the waiter block in the kernel wait (not an ordering the assert needs)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                waiter.interrupt();
            }, r -> Thread.ofPlatform().daemon().name("interrupter").start(r)).thenApply(x -> null);
            // The interrupter has its own thread (the common pool has one worker on 2 cores) and does not wait
            // to see the waiter RUNNABLE: a waiter that parks between 10 ms looks at its interrupt status is
            // RUNNABLE only for moments, and the spin could miss them for good (the test hung in PIT's JVM).
            // Interrupted before or during get(), get() must throw.
            org.junit.jupiter.api.Assertions.assertThrows(InterruptedException.class, p::get,
                    "interrupted while waiting on a poll");
            within(interrupter, "the interrupter");
            assertFalse(p.isDone(), "the poll itself goes on");
            assertTrue(p.cancel(true));
        } finally {
            Thread.interrupted();
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    /** Completing a kaio future from outside would hand its buffers back while the kernel uses them. */
    @Test
    void kaiosFuturesCannotBeCompletedFromOutside() throws Exception {
        int[] pipe = Fds.pipe();
        try (AioContext ctx = AioContext.open(2)) {
            CompletableFuture<Integer> p = ctx.poll(pipe[0], PollEvents.POLLIN);
            assertInstanceOf(UnsupportedOperationException.class, catchThrowable(() -> p.complete(1)));
            assertInstanceOf(UnsupportedOperationException.class,
                    catchThrowable(() -> p.completeExceptionally(new RuntimeException())));
            CompletableFuture<Integer> timed = p.orTimeout(1, TimeUnit.MILLISECONDS);
            assertInstanceOf(TimeoutException.class, outcome(timed));
            assertFalse(p.isDone(), "orTimeout timed out a dependent stage, not the request");
            assertTrue(p.cancel(true));
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    /**
     * A stage that completes without its request (orTimeout, completeOnTimeout, complete() from another
     * thread) releases a thread waiting on it with join(), get() or get(timeout), although the request
     * (a poll on a pipe nobody writes) never completes: the waiter must not be left in the kernel
     * waiting for the request. The waits happen on a thread that has waited on a request before, so
     * that its next poll is routed to its slot's eventfd and the thread itself waits there (the case
     * that hung: it read(2) the eventfd until the poll completed). All of it runs in that thread under
     * the guard, so that a regression fails here instead of hanging.
     */
    @Test
    void aStageThatCompletesWithoutItsRequestReleasesItsWaiters() throws Exception {
        int[] silent = Fds.pipe();
        int[] ready = Fds.pipe();
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try (AioContext ctx = AioContext.open(2)) {
            Fds.write(ready[1], new byte[] {1});
            within(CompletableFuture.supplyAsync(() -> {
                ctx.poll(ready[0], PollEvents.POLLIN).join(); // this thread now waits on its own requests
                CompletableFuture<Integer> poll = ctx.poll(silent[0], PollEvents.POLLIN);
                Throwable joined = catchThrowable(poll.orTimeout(50, TimeUnit.MILLISECONDS)::join);
                assertInstanceOf(CompletionException.class, joined);
                assertInstanceOf(TimeoutException.class, joined.getCause());
                assertFalse(poll.isDone(), "the poll itself is still waiting");
                assertTrue(poll.cancel(true));

                CompletableFuture<Integer> poll2 = ctx.poll(silent[0], PollEvents.POLLIN);
                CompletableFuture<Integer> defaulted = poll2.thenApply(x -> x).completeOnTimeout(7, 50, TimeUnit.MILLISECONDS);
                assertEquals(Integer.valueOf(7), uncheckedGet(defaulted::get));
                assertTrue(poll2.cancel(true));

                CompletableFuture<Integer> poll3 = ctx.poll(silent[0], PollEvents.POLLIN);
                CompletableFuture<Integer> completedByHand = poll3.thenApply(x -> x + 1);
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> completedByHand.complete(42));
                assertEquals(Integer.valueOf(42), uncheckedGet(() -> completedByHand.get(1, TimeUnit.HOURS)));
                assertTrue(poll3.cancel(true));
                return null;
            }, waiter), "waits on stages that complete without their polls");
        } finally {
            waiter.shutdownNow();
            for (int fd : new int[] {silent[0], silent[1], ready[0], ready[1]}) {
                Fds.close(fd);
            }
        }
    }

    private interface Wait<T> {
        T get() throws Exception;
    }

    private static <T> T uncheckedGet(Wait<T> wait) {
        try {
            return wait.get();
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        fail("nothing thrown");
        return null;
    }
}
