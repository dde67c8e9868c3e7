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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.engine.AioQueue;
import dev.kaio.testing.Fds;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A platform thread that waits for its request watches the completion ring before it sleeps, within its
 * budget, and not at all with a zero budget. Shown by the waiting thread's CPU time: a poll on a pipe
 * that is written 400 ms later costs about the budget in CPU when watching, almost none when sleeping.
 */
class SpinWaitTest {

    private static final long WRITE_AFTER_MS = 400;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void aJoiningThreadWatchesForItsBudgetThenSleeps() throws Exception {
        assumeWatchersAllowed();
        try (AioContext ctx = AioContext.open(4, AioContext.Options.defaults().spinWait(Duration.ofMillis(100)))) {
            joinPollWrittenLater(ctx); // the first wait marks this thread as a waiter: later requests route to it
            long cpu = joinPollWrittenLater(ctx);
            assertTrue(cpu >= TimeUnit.MILLISECONDS.toNanos(30),
                    "a 100 ms budget, but the waiting thread used only " + cpu / 1000 + " µs of CPU");
            assertTrue(cpu <= TimeUnit.MILLISECONDS.toNanos(300),
                    "the watch went past its 100 ms budget: " + cpu / 1000 + " µs of CPU for a 400 ms wait");
        }
    }

    @Test
    void aZeroBudgetSleepsAtOnce() throws Exception {
        try (AioContext ctx = AioContext.open(4, AioContext.Options.defaults().spinWait(Duration.ZERO))) {
            assertSleepsAtOnce(ctx, "no budget");
        }
    }

    /** Watching is opt-in: on a loop device it delayed completions (README, "Waiting"). */
    @Test
    void byDefaultAWaiterSleepsAtOnce() throws Exception {
        if (System.getProperty("kaio.spinMicros") != null) {
            Assumptions.abort("kaio.spinMicros is set for this JVM, so the default is not in force");
        }
        try (AioContext ctx = AioContext.open(4)) {
            assertSleepsAtOnce(ctx, "default options");
        }
    }

    @Test
    void aQueueReapWatchesForItsBudgetThenSleepsInIoGetevents() throws Exception {
        assumeWatchersAllowed();
        for (Duration budget : new Duration[] {Duration.ofMillis(100), Duration.ZERO}) {
            try (AioQueue queue = AioQueue.open(2, AioQueue.Options.defaults().spinWait(budget))) {
                int[] pipe = Fds.pipe();
                try {
                    CompletableFuture<Void> writer = writeLater(pipe[1]);
                    queue.preparePoll(pipe[0], PollEvents.POLLIN, 7);
                    assertEquals(1, queue.submit());
                    long before = THREADS.getCurrentThreadCpuTime();
                    assertEquals(1, queue.reap(1, 1, TimeUnit.SECONDS.toNanos(20)));
                    long cpu = THREADS.getCurrentThreadCpuTime() - before;
                    writer.get(20, TimeUnit.SECONDS);
                    assertEquals(7, queue.tag(0));
                    assertTrue((queue.result(0) & PollEvents.POLLIN) != 0, "poll result " + queue.result(0));
                    if (budget.isZero()) {
                        assertTrue(cpu < TimeUnit.MILLISECONDS.toNanos(30), "no budget, yet " + cpu / 1000 + " µs");
                    } else {
                        assertTrue(cpu >= TimeUnit.MILLISECONDS.toNanos(30) && cpu <= TimeUnit.MILLISECONDS.toNanos(300),
                                "a 100 ms budget, but reap used " + cpu / 1000 + " µs of CPU in a 400 ms wait");
                    }
                } finally {
                    Fds.close(pipe[0]);
                    Fds.close(pipe[1]);
                }
            }
        }
    }

    @Test
    void aNegativeBudgetIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> AioContext.Options.defaults().spinWait(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class,
                () -> AioQueue.Options.defaults().spinWait(Duration.ofNanos(-1)));
    }

    /** A second join on {@code ctx} (the first marks this thread as a waiter) costs next to no CPU. */
    private static void assertSleepsAtOnce(AioContext ctx, String why) throws Exception {
        joinPollWrittenLater(ctx);
        long cpu = joinPollWrittenLater(ctx);
        assertTrue(cpu < TimeUnit.MILLISECONDS.toNanos(30),
                why + ", yet the waiting thread used " + cpu / 1000 + " µs of CPU in a 400 ms wait");
    }

    /** Polls a new pipe that another thread writes 400 ms later; joins it; returns this thread's CPU time. */
    private static long joinPollWrittenLater(AioContext ctx) throws Exception {
        int[] pipe = Fds.pipe();
        try {
            CompletableFuture<Void> writer = writeLater(pipe[1]);
            CompletableFuture<Integer> poll = ctx.poll(pipe[0], PollEvents.POLLIN);
            long before = THREADS.getCurrentThreadCpuTime();
            int events = poll.join();
            long cpu = THREADS.getCurrentThreadCpuTime() - before;
            writer.get(20, TimeUnit.SECONDS);
            assertTrue((events & PollEvents.POLLIN) != 0, "poll result " + events);
            return cpu;
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    /**
     * Completions the watch collects land after the ones reap already had, each at its own index with
     * its own tag and result, and count as taken from the ring: one poll is ready before reap starts,
     * two more become ready at different moments while it watches.
     */
    @Test
    void completionsTheWatchCollectsLandAtTheirOwnIndices() throws Exception {
        assumeWatchersAllowed();
        try (AioQueue queue = AioQueue.open(4, AioQueue.Options.defaults().spinWait(Duration.ofSeconds(5)))) {
            int[] ready = Fds.pipe();
            int[] first = Fds.pipe();
            int[] second = Fds.pipe();
            try {
                Fds.write(ready[1], new byte[] {1});
                queue.preparePoll(ready[0], PollEvents.POLLIN, 100);
                queue.preparePoll(first[0], PollEvents.POLLIN, 200);
                queue.preparePoll(second[0], PollEvents.POLLIN, 300);
                assertEquals(3, queue.submit());
                long fromRing = queue.ringCompletions();
                CompletableFuture<Void> writes = writeLater(first[1], 30).thenCompose(x -> writeLater(second[1], 60));
                assertEquals(3, queue.reap(3, 4, TimeUnit.SECONDS.toNanos(20)));
                writes.get(20, TimeUnit.SECONDS);
                assertEquals(100, queue.tag(0), "the ready poll, reaped before the watch");
                java.util.Set<Long> tags = new java.util.HashSet<>();
                for (int i = 0; i < 3; i++) {
                    tags.add(queue.tag(i));
                    assertTrue((queue.result(i) & PollEvents.POLLIN) != 0, "poll result " + queue.result(i));
                }
                assertEquals(java.util.Set.of(100L, 200L, 300L), tags);
                assertEquals(fromRing + 3, queue.ringCompletions(), "all three taken from the ring");
                assertEquals(0, queue.inFlight());
                assertEquals(4, queue.remaining());
            } finally {
                for (int fd : new int[] {ready[0], ready[1], first[0], first[1], second[0], second[1]}) {
                    Fds.close(fd);
                }
            }
        }
    }

    private static CompletableFuture<Void> writeLater(int fd) {
        return writeLater(fd, WRITE_AFTER_MS);
    }

    private static CompletableFuture<Void> writeLater(int fd, long afterMillis) {
        return CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(afterMillis);
                Fds.write(fd, new byte[] {1});
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofPlatform().daemon().name("pipe-writer").start(r)); // not the common pool's one thread
    }

    private static void assumeWatchersAllowed() {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
                "needs 2 processors: with one, no thread watches the completion ring");
        assumeTrue(THREADS.isCurrentThreadCpuTimeSupported(), "needs per-thread CPU time (ThreadMXBean)");
    }
}
