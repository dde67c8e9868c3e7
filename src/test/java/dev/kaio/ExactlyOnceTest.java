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
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.Fds;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly once, per request: every future, poll and completion handler counts its own completions, and
 * the counts are read only once nothing can complete any more (after {@code AioContext.close()}
 * returned, which ends every request and every callback, or after the channel's executor has
 * terminated), never after a pause. Each request is also told apart by its result (a distinct length
 * at a distinct position, checked against the bytes the test wrote), so a completion delivered to the
 * wrong request, or twice to one and never to another, fails even where the total is right.
 * Timeouts here only bound a hang; none is a performance expectation.
 */
class ExactlyOnceTest {

    private static final int GUARD_SECONDS = 60;
    private static final int FILE_SIZE = 1 << 20;

    /** How the context collects completions. */
    enum Mode {
        /** a reaper thread, reading the kernel's completion ring */
        REAPER,
        /** a reaper thread, io_getevents only */
        SYSCALLS,
        /** no reaper: an application loop collects (processCompletions) */
        EVENTFD;

        AioContext.Options options() {
            return switch (this) {
                case REAPER -> AioContext.Options.defaults().forceSyscalls(false);
                case SYSCALLS -> AioContext.Options.defaults().forceSyscalls(true);
                case EVENTFD -> AioContext.Options.defaults().eventFd();
            };
        }
    }

    /** Request {@code id} reads this many bytes: every request a different length. */
    private static int length(int id) {
        return 100 + id;
    }

    /** ... at this position: every request a different place. */
    private static long position(int id) {
        return (id * 2_053L) % (FILE_SIZE - 4096);
    }

    /**
     * Three platform threads submit reads to a context of depth 8 (so slots are reused many times): one
     * waits on each read right away (it reaps its own), one submits its batch and then joins them all at
     * once, one attaches callbacks that each submit a second read from the completing thread. After
     * close(), each future has completed exactly once, with its own byte count and its own bytes, and
     * the kernel's events were collected exactly once each.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void everyFutureCompletesOnceWithItsOwnResult(Mode mode) throws Exception {
        Path path = TestFiles.newDirectory("once").resolve("data");
        byte[] data = TestFiles.randomBytes(16, FILE_SIZE);
        Files.write(path, data);
        int perThread = 64;
        int chained = perThread;                 // the callback thread's second reads
        int total = 3 * perThread + chained;
        AtomicIntegerArray calls = new AtomicIntegerArray(total);
        AtomicReferenceArray<Object> outcomes = new AtomicReferenceArray<>(total);
        MemorySegment[] buffers = new MemorySegment[total];
        List<CompletableFuture<?>> everything = new java.util.concurrent.CopyOnWriteArrayList<>();
        AioContext ctx = AioContext.open(8, mode.options());
        Thread loop = null;
        if (mode == Mode.EVENTFD) {
            // the application's event loop: collects until the context says it is closed (-1)
            loop = Thread.ofPlatform().name("eventfd-loop").start(() -> {
                while (ctx.awaitCompletions(5, TimeUnit.MILLISECONDS) >= 0) {
                    // completions were delivered on this thread
                }
            });
        }
        try (Arena arena = Arena.ofShared()) {
            AioFile file = AioFile.open(ctx, path, READ);
            for (int id = 0; id < total; id++) {
                buffers[id] = arena.allocate(length(id));
            }
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int kind = t;
                threads.add(Thread.ofPlatform().name("submitter-" + t).start(() -> {
                    List<CompletableFuture<Integer>> mine = new ArrayList<>();
                    for (int j = 0; j < perThread; j++) {
                        int id = kind * perThread + j;
                        CompletableFuture<Integer> f = counted(file.read(buffers[id], position(id)), id, calls, outcomes);
                        everything.add(f);
                        if (kind == 0) {
                            f.join();                                    // waits on each: reaps its own
                        } else if (kind == 2) {
                            int second = 3 * perThread + j;              // submitted by whoever completes f
                            everything.add(f.thenCompose(n -> counted(file.read(buffers[second], position(second)),
                                    second, calls, outcomes)));
                        }
                        mine.add(f);
                    }
                    if (kind == 1) {
                        CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).join();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
                assertFalse(t.isAlive(), t.getName() + " is stuck");
            }
            // the chained reads are submitted by callbacks: wait for them too, so that none meets the close
            for (CompletableFuture<?> f : everything) {
                f.get(GUARD_SECONDS, TimeUnit.SECONDS);
            }
            ctx.close(); // returns once every request has ended and every callback has run: nothing moves after
            file.close();
            for (int id = 0; id < total; id++) {
                assertEquals(1, calls.get(id), "request " + id + " completed " + calls.get(id) + " times");
                assertEquals(length(id), outcomes.get(id), "request " + id + "'s result");
                int from = (int) position(id);
                TestFiles.assertBytesEqual(Arrays.copyOfRange(data, from, from + length(id)),
                        TestFiles.toBytes(buffers[id]), "request " + id + "'s bytes");
            }
            // each kernel event was collected once: a completion read twice from the ring would count twice
            assertEquals(total, ctx.ringCompletions() + ctx.syscallCompletions(), "events collected");
        } finally {
            ctx.close();
            if (loop != null) {
                loop.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
                assertFalse(loop.isAlive(), "the event loop did not learn of close()");
            }
        }
    }

    /** Counts {@code f}'s completions into {@code calls[id]}, and records its value or exception. */
    private static <T> CompletableFuture<T> counted(CompletableFuture<T> f, int id, AtomicIntegerArray calls,
            AtomicReferenceArray<Object> outcomes) {
        f.whenComplete((v, e) -> {
            calls.incrementAndGet(id);
            outcomes.set(id, e != null ? unwrap(e) : v);
        });
        return f;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /**
     * Polls on twelve pipes: four pipes are written (their polls, and only theirs, complete with
     * POLLIN), four polls are cancelled (io_cancel: CancellationException), four are left to close()
     * (AsynchronousCloseException). Each poll's callback ran once, with the outcome its pipe calls for.
     */
    @Test
    void everyPollCompletesOnceAsItsPipeSays() throws Exception {
        int n = 12;
        int[][] pipes = new int[n][];
        AtomicIntegerArray calls = new AtomicIntegerArray(n);
        AtomicReferenceArray<Object> outcomes = new AtomicReferenceArray<>(n);
        List<CompletableFuture<Integer>> polls = new ArrayList<>();
        AioContext ctx = AioContext.open(16);
        try {
            for (int i = 0; i < n; i++) {
                pipes[i] = Fds.pipe();
                polls.add(counted(ctx.poll(pipes[i][0], PollEvents.POLLIN), i, calls, outcomes));
            }
            assertEquals(n, ctx.inFlight());
            for (int i = 0; i < n; i += 3) {
                Fds.write(pipes[i][1], new byte[] {(byte) i});
            }
            for (int i = 0; i < n; i += 3) {
                int revents = polls.get(i).get(GUARD_SECONDS, TimeUnit.SECONDS);
                assertTrue((revents & PollEvents.POLLIN) != 0, "poll " + i + ": 0x" + Integer.toHexString(revents));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i % 3 == 0, polls.get(i).isDone(), "poll " + i + " done: only the written pipes' polls");
            }
            for (int i = 1; i < n; i += 3) {
                assertTrue(polls.get(i).cancel(true), "the kernel cancels poll " + i);
            }
            ctx.close(); // returns once every request has ended and every callback has run
            for (int i = 0; i < n; i++) {
                assertEquals(1, calls.get(i), "poll " + i + " completed " + calls.get(i) + " times");
                Object outcome = outcomes.get(i);
                switch (i % 3) {
                    case 0 -> assertTrue(outcome instanceof Integer r && (r & PollEvents.POLLIN) != 0,
                            "poll " + i + ": " + outcome);
                    case 1 -> assertInstanceOf(CancellationException.class, outcome, "poll " + i);
                    default -> assertInstanceOf(AsynchronousCloseException.class, outcome, "poll " + i);
                }
            }
            assertEquals(0, ctx.inFlight());
        } finally {
            ctx.close();
            for (int[] p : pipes) {
                if (p != null) {
                    Fds.close(p[0]);
                    Fds.close(p[1]);
                }
            }
        }
    }

    /** What a channel under test is, and how to make sure nothing of it still runs. */
    private interface ChannelUnderTest extends AutoCloseable {
        AsynchronousFileChannel channel();

        /** After the channel is closed: returns when no handler can be called any more. */
        void quiesce() throws Exception;
    }

    private static ChannelUnderTest open(String impl, Path path, ExecutorService executor) throws Exception {
        Set<OpenOption> options = Set.of(READ, WRITE);
        if (impl.equals("jdk")) {
            AsynchronousFileChannel ch = AsynchronousFileChannel.open(path, options, executor);
            return new ChannelUnderTest() {
                public AsynchronousFileChannel channel() {
                    return ch;
                }

                public void quiesce() {}

                public void close() throws Exception {
                    ch.close();
                }
            };
        }
        // kaio's channel on a context of its own, so that the context's close() proves every request ended
        AioContext ctx = AioContext.open(16);
        AsynchronousFileChannel ch = KaioFileChannel.open(ctx, path, options, executor);
        return new ChannelUnderTest() {
            public AsynchronousFileChannel channel() {
                return ch;
            }

            public void quiesce() throws Exception {
                ctx.close();
            }

            public void close() throws Exception {
                try {
                    ch.close();
                } finally {
                    ctx.close();
                }
            }
        };
    }

    /**
     * The CompletionHandler form of AsynchronousFileChannel, the JDK's channel and kaio's through the same
     * code: 300 reads and writes of distinct lengths (heap and direct buffers), then 20 operations on the
     * closed channel. Each handler counts its own calls, and the counts are read after the executor the
     * handlers run on has terminated (and, for kaio, its context has closed): every operation's handler
     * was called exactly once, with its own attachment and its own result.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdk", "kaio"})
    void everyCompletionHandlerIsCalledOnceWithItsOwnResult(String impl) throws Exception {
        Path path = TestFiles.newDirectory("handlers").resolve("data");
        int dataSize = 256 * 1024;
        byte[] data = TestFiles.randomBytes(17, dataSize);
        Files.write(path, data);
        int n = 300;
        int afterClose = 20;
        int total = n + afterClose;
        AtomicIntegerArray calls = new AtomicIntegerArray(total);
        AtomicReferenceArray<Object> outcomes = new AtomicReferenceArray<>(total);
        CountDownLatch open = new CountDownLatch(n);
        CountDownLatch closed = new CountDownLatch(afterClose);
        CompletionHandler<Integer, Integer> handler = new CompletionHandler<>() {
            @Override
            public void completed(Integer result, Integer id) {
                record(id, result);
            }

            @Override
            public void failed(Throwable exc, Integer id) {
                record(id, exc);
            }

            private void record(int id, Object outcome) {
                if (calls.incrementAndGet(id) == 1) {
                    outcomes.set(id, outcome);
                }
                (id < n ? open : closed).countDown(); // every call: the total alone would look right
            }
        };
        ByteBuffer[] buffers = new ByteBuffer[total];
        ExecutorService executor = Executors.newFixedThreadPool(3);
        try (ChannelUnderTest under = open(impl, path, executor)) {
            AsynchronousFileChannel ch = under.channel();
            for (int id = 0; id < total; id++) {
                int len = 50 + id;
                buffers[id] = id % 2 == 0 ? ByteBuffer.allocateDirect(len) : ByteBuffer.allocate(len);
                if (id % 5 == 4) {
                    buffers[id].put(writeContent(id, len)).flip(); // a write, in the region after the data
                }
            }
            for (int id = 0; id < n; id++) {
                if (id % 5 == 4) {
                    ch.write(buffers[id], writePosition(dataSize, id), id, handler);
                } else {
                    ch.read(buffers[id], readPosition(id), id, handler);
                }
            }
            assertTrue(open.await(GUARD_SECONDS, TimeUnit.SECONDS), "handlers not called: " + open.getCount());
            ch.close();
            for (int id = n; id < total; id++) {
                if (id % 5 == 4) {
                    ch.write(buffers[id], writePosition(dataSize, id), id, handler);
                } else {
                    ch.read(buffers[id], readPosition(id), id, handler);
                }
            }
            assertTrue(closed.await(GUARD_SECONDS, TimeUnit.SECONDS), "handlers not called after close");
            under.quiesce();
            executor.shutdown();
            assertTrue(executor.awaitTermination(GUARD_SECONDS, TimeUnit.SECONDS), "the handlers' executor is stuck");
            // nothing can call a handler any more: count
            for (int id = 0; id < total; id++) {
                assertEquals(1, calls.get(id), impl + ": handler of operation " + id + " called " + calls.get(id) + " times");
                Object outcome = outcomes.get(id);
                int len = 50 + id;
                if (id >= n) {
                    assertInstanceOf(ClosedChannelException.class, outcome, impl + ": operation " + id + " after close");
                    continue;
                }
                assertEquals(len, outcome, impl + ": operation " + id + "'s result");
                assertEquals(len, buffers[id].position(), impl + ": operation " + id + "'s buffer position");
                if (id % 5 != 4) {
                    int from = (int) readPosition(id);
                    byte[] got = new byte[len];
                    buffers[id].flip().get(got);
                    TestFiles.assertBytesEqual(Arrays.copyOfRange(data, from, from + len), got, impl + ": read " + id);
                }
            }
        } finally {
            executor.shutdownNow();
        }
        for (int id = 4; id < n; id += 5) {
            TestFiles.assertBytesEqual(writeContent(id, 50 + id),
                    TestFiles.readWithFileChannel(path, writePosition(dataSize, id), 50 + id), impl + ": write " + id);
        }
    }

    private static long readPosition(int id) {
        return (id * 601L) % (200 * 1024);
    }

    private static long writePosition(int dataSize, int id) {
        return dataSize + id * 1024L;
    }

    private static byte[] writeContent(int id, int len) {
        return TestFiles.randomBytes(1000 + id, len);
    }
}
