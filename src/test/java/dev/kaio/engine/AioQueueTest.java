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
package dev.kaio.engine;

import static dev.kaio.testing.TestFiles.assertBytesEqual;
import static dev.kaio.testing.TestFiles.randomBytes;
import static dev.kaio.testing.TestFiles.readWithFileChannel;
import static dev.kaio.testing.TestFiles.toBytes;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.Errno;
import dev.kaio.PollEvents;
import dev.kaio.testing.Fds;
import dev.kaio.testing.AioNr;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The low-level engine: batches, tags, refused submissions, capacity, allocation. */
class AioQueueTest {

    private static final int GUARD_SECONDS = 30;

    @Test
    void batchOfReadsCompletesEachTagOnceWithTheRightBytes() throws Exception {
        Path dir = TestFiles.newDirectory("queue");
        Path path = dir.resolve("data");
        int bs = 4096;
        int n = 32;
        byte[] data = randomBytes(42, bs * n);
        Files.write(path, data);
        try (AioQueue q = AioQueue.open(n);
                RawFile f = RawFile.open(path, READ, AioOpenOption.DIRECT);
                Arena arena = Arena.ofConfined()) {
            MemorySegment bufs = DirectBuffers.allocate(arena, (long) bs * n, f.alignment());
            for (int i = 0; i < n; i++) {
                // read block i into buffer slot (n-1-i), tag = 1000 + i
                q.prepareRead(f.fd(), bufs.asSlice((long) (n - 1 - i) * bs, bs), (long) i * bs, 1000 + i);
            }
            assertEquals(n, q.staged());
            assertEquals(0, q.remaining());
            assertEquals(n, q.submit(), "one io_submit for the whole batch");
            assertEquals(n, q.inFlight());
            Set<Long> tags = new HashSet<>();
            while (tags.size() < n) {
                int got = q.reap(1, n, -1);
                for (int k = 0; k < got; k++) {
                    assertTrue(tags.add(q.tag(k)), "tag completed twice: " + q.tag(k));
                    assertEquals(bs, q.result(k));
                }
            }
            assertEquals(0, q.inFlight());
            for (int i = 0; i < n; i++) {
                byte[] expected = java.util.Arrays.copyOfRange(data, i * bs, (i + 1) * bs);
                assertBytesEqual(expected, toBytes(bufs.asSlice((long) (n - 1 - i) * bs, bs)), "block " + i);
            }
            assertEquals(0, q.reap(1, n, -1), "nothing in flight: reap returns at once");
        }
    }

    @Test
    void vectoredWritesAndSyncsThroughTheQueue() throws Exception {
        Path path = TestFiles.newDirectory("queuev").resolve("v");
        try (AioQueue q = AioQueue.open(8);
                RawFile f = RawFile.open(path, READ, WRITE, CREATE, AioOpenOption.DIRECT);
                Arena arena = Arena.ofConfined()) {
            int a = f.alignment();
            MemorySegment[] segs = new MemorySegment[8];
            for (int i = 0; i < 8; i++) {
                segs[i] = DirectBuffers.allocate(arena, a, a);
                segs[i].fill((byte) (i + 1));
            }
            q.prepareWritev(f.fd(), segs, 8, 0, 1);
            q.prepareWritev(f.fd(), segs, 3, 8L * a, 2);
            assertEquals(2, q.submit());
            Map<Long, Long> results = reapAll(q, 2);
            assertEquals(8L * a, results.get(1L));
            assertEquals(3L * a, results.get(2L));
            q.prepareFdsync(f.fd(), 3);
            q.prepareFsync(f.fd(), 4);
            q.submit();
            results = reapAll(q, 2);
            assertEquals(0L, results.get(3L));
            assertEquals(0L, results.get(4L));
            assertEquals(11L * a, f.size());

            MemorySegment[] dst = new MemorySegment[11];
            for (int i = 0; i < 11; i++) {
                dst[i] = DirectBuffers.allocate(arena, a, a);
            }
            q.prepareReadv(f.fd(), dst, 11, 0, 5);
            q.submit();
            assertEquals(11L * a, reapAll(q, 1).get(5L));
            for (int i = 0; i < 11; i++) {
                byte expected = (byte) (i < 8 ? i + 1 : i - 8 + 1);
                assertEquals(expected, dst[i].get(ValueLayout.JAVA_BYTE, a - 1), "segment " + i);
            }
            byte[] fc = readWithFileChannel(path, 0, 11 * a);
            assertEquals((byte) 8, fc[8 * a - 1]);
        }
    }

    @Test
    void aRefusedRequestCompletesWithMinusErrnoAndTheRestOfTheBatchGoesThrough() throws Exception {
        Path path = TestFiles.newDirectory("refused").resolve("f");
        Files.write(path, new byte[8192]);
        try (AioQueue q = AioQueue.open(4); RawFile f = RawFile.open(path, READ); Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(4096);
            q.prepareRead(f.fd(), b, 0, 1);
            q.prepareRead(987654, b, 0, 2);      // not a file descriptor: io_submit refuses it with EBADF
            q.prepareRead(f.fd(), b, 4096, 3);
            assertEquals(2, q.submit(), "the two valid requests are in flight");
            Map<Long, Long> results = reapAll(q, 3);
            assertEquals(4096L, results.get(1L));
            assertEquals((long) -Errno.EBADF, results.get(2L));
            assertEquals(4096L, results.get(3L));
            assertEquals(4, q.remaining());
            dev.kaio.AioException e = AioQueue.failure(results.get(2L), "read", "fd 987654");
            assertEquals("EBADF", e.errnoName());
        }
    }

    @Test
    void aFullQueueRefusesToPrepareInsteadOfDroppingARequest() throws Exception {
        Path path = TestFiles.newDirectory("full").resolve("f");
        Files.write(path, new byte[4096]);
        try (AioQueue q = AioQueue.open(2); RawFile f = RawFile.open(path, READ); Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(512);
            q.prepareRead(f.fd(), b, 0, 1);
            q.prepareRead(f.fd(), b, 0, 2);
            assertThrows(IllegalStateException.class, () -> q.prepareRead(f.fd(), b, 0, 3));
            q.submit();
            assertThrows(IllegalStateException.class, () -> q.prepareRead(f.fd(), b, 0, 3), "in flight counts too");
            assertEquals(2, reapAll(q, 2).size());
            q.prepareRead(f.fd(), b, 0, 3);
            assertThrows(IllegalArgumentException.class, () -> q.prepareRead(f.fd(), MemorySegment.ofArray(new byte[8]), 0, 4));
            assertThrows(IllegalArgumentException.class, () -> q.prepareRead(f.fd(), b.asReadOnly(), 0, 4));
            assertThrows(IllegalArgumentException.class, () -> q.prepareRead(f.fd(), b, -1, 4));
            q.submit();
            assertEquals(1, reapAll(q, 1).size());
        }
    }

    /**
     * reap's timeout with a request really in flight: a poll on a pipe nobody writes. reap(1, ...) with a
     * timeout returns 0 once io_getevents gives up; the poll is still in flight, and completes (POLLIN,
     * its own tag) when the pipe is written. With the ring and with io_getevents only.
     */
    @ParameterizedTest(name = "forceSyscalls={0}")
    @ValueSource(booleans = {false, true})
    void reapHonoursItsTimeoutAndMinimum(boolean force) throws Exception {
        int[] pipe = Fds.pipe();
        try (AioQueue q = AioQueue.open(4, AioQueue.Options.defaults().forceSyscalls(force))) {
            assertEquals(0, q.reap(0, 4, 0));
            assertEquals(0, q.reap(1, 4, -1), "nothing in flight: min is capped, returns at once");
            assertThrows(IllegalArgumentException.class, () -> q.reap(2, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> q.reap(0, 5, 0));
            assertThrows(IllegalArgumentException.class, () -> q.reap(-1, 1, 0));
            q.preparePoll(pipe[0], PollEvents.POLLIN, 77);
            assertEquals(1, q.submit());
            assertEquals(1, q.inFlight());
            // the guard only turns a reap that ignores its timeout into a failure instead of a hang
            int timedOut = assertTimeoutPreemptively(Duration.ofSeconds(GUARD_SECONDS),
                    () -> q.reap(1, 4, TimeUnit.MILLISECONDS.toNanos(50)), "reap ignored its timeout");
            assertEquals(0, timedOut, "io_getevents timed out: nothing completed");
            assertEquals(0, q.ready());
            assertEquals(1, q.inFlight(), "the poll is still in flight");
            assertEquals(0, q.reap(0, 4, 0), "and still not complete");
            Fds.write(pipe[1], new byte[] {1});
            int n = assertTimeoutPreemptively(Duration.ofSeconds(GUARD_SECONDS), () -> q.reap(1, 4, -1));
            assertEquals(1, n);
            assertEquals(77, q.tag(0));
            assertTrue((q.result(0) & PollEvents.POLLIN) != 0, "revents 0x" + Long.toHexString(q.result(0)));
            assertEquals(0, q.inFlight());
            assertEquals(force ? 0 : 1, q.ringCompletions());
            assertEquals(force ? 1 : 0, q.syscallCompletions());
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    /**
     * Completions that wait in the ring before reap is called come from the ring. The queue's eventfd is
     * signalled by the kernel once per completion, after the event is in the ring: once the test has read
     * K from it, K events wait there. reap(K, K, ...) then takes them from the ring without io_getevents
     * (with forceSyscalls: all K from io_getevents, none from the ring).
     */
    @ParameterizedTest(name = "forceSyscalls={0}")
    @ValueSource(booleans = {false, true})
    void completionsWaitingInTheRingAreReapedFromIt(boolean force) throws Exception {
        Path path = TestFiles.newDirectory("ringq").resolve("data");
        int k = 16;
        byte[] data = randomBytes(62, k * 4096);
        Files.write(path, data);
        try (AioQueue q = AioQueue.open(k, AioQueue.Options.defaults().eventFd(true).forceSyscalls(force));
                RawFile f = RawFile.open(path, READ, AioOpenOption.DIRECT); Arena arena = Arena.ofConfined()) {
            assertEquals(!force, q.reapsFromRing());
            MemorySegment bufs = DirectBuffers.allocate(arena, (long) k * 4096, 4096);
            for (int i = 0; i < k; i++) {
                q.prepareRead(f.fd(), bufs.asSlice(i * 4096L, 4096), i * 4096L, 500 + i);
            }
            assertEquals(k, q.submit());
            long signalled = 0;
            while (signalled < k) {
                // the queue's eventfd is non-blocking: EAGAIN until the kernel has completed more
                long got = Fds.readEventFdOrZero(q.eventFd());
                if (got == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
                signalled += got;
            }
            assertEquals(k, signalled);
            assertEquals(k, q.reap(k, k, -1));
            assertEquals(force ? 0 : k, q.ringCompletions(), "completions read from the ring");
            assertEquals(force ? k : 0, q.syscallCompletions(), "completions from io_getevents");
            Set<Long> tags = new HashSet<>();
            for (int i = 0; i < k; i++) {
                assertTrue(tags.add(q.tag(i)), "tag twice: " + q.tag(i));
                assertEquals(4096, q.result(i));
            }
            assertEquals(k, tags.size());
            assertBytesEqual(data, toBytes(bufs), "the reads");
            assertEquals(0, q.inFlight());
            assertEquals(0, q.reap(0, k, 0), "nothing left: the ring's head moved past what was reaped");
        }
    }

    @Test
    void useAfterCloseAndDoubleClose() throws Exception {
        AioQueue q = AioQueue.open(4);
        long ctx = q.contextId();
        assertTrue(ctx != 0);
        q.close();
        q.close();
        assertThrows(ClosedChannelException.class, q::submit);
        assertThrows(ClosedChannelException.class, () -> q.reap(0, 1, 0));
        assertThrows(IllegalStateException.class, () -> q.prepareFsync(0, 1));
    }

    @Test
    void contextsAreCountedInAioNrAndReleasedOnClose() throws Exception {
        AioNr.assertCountedWhileOpen(100, () -> AioQueue.open(100)); // io_setup(100) adds 100
    }

    @Test
    void steadyStateReadsAllocateNothingOnTheJavaHeap() throws Exception {
        // the claim is about code compiled by C2 (escape analysis, inlining); the NFS guest runs its JVM
        // with -XX:TieredStopAtLevel=1 to save time under emulation
        org.junit.jupiter.api.Assumptions.assumeFalse(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4")),
                "this JVM runs without C2 (-XX:TieredStopAtLevel < 4): steady state is not reached");
        Path path = TestFiles.newDirectory("alloc").resolve("f");
        Files.write(path, new byte[1 << 20]);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (AioQueue q = AioQueue.open(16); RawFile f = RawFile.open(path, READ); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096L * 16, 4096);
            MemorySegment[] bufs = new MemorySegment[16];
            for (int i = 0; i < 16; i++) {
                bufs[i] = buf.asSlice(4096L * i, 4096);
            }
            int fd = f.fd();
            // Steady state means after the JIT has compiled the loop (the interpreter and C1 allocate);
            // rounds of 200k reads until one allocates nothing, at most 12.
            List<Long> rounds = new ArrayList<>();
            long checksum = 0;
            for (int round = 0; round < 12; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                checksum += runReads(q, fd, bufs, 200_000);
                long allocated = mx.getCurrentThreadAllocatedBytes() - before;
                rounds.add(allocated);
                if (allocated == 0) {
                    break;
                }
            }
            assertTrue(checksum > 0);
            assertEquals(0L, rounds.get(rounds.size() - 1), "bytes allocated per round of 200000 reads: " + rounds);
        }
    }

    private static long runReads(AioQueue q, int fd, MemorySegment[] bufs, int ops) throws Exception {
        long sum = 0;
        int issued = 0;
        int done = 0;
        while (done < ops) {
            while (issued < ops && q.remaining() > 0) {
                int slot = issued & 15;
                q.prepareRead(fd, bufs[slot], (long) (issued & 255) * 4096, issued);
                issued++;
            }
            q.submit();
            int n = q.reap(1, 16, -1);
            for (int k = 0; k < n; k++) {
                sum += q.result(k) + (q.tag(k) & 1);
            }
            done += n;
        }
        return sum;
    }

    static Map<Long, Long> reapAll(AioQueue q, int count) throws Exception {
        Map<Long, Long> out = new HashMap<>();
        while (out.size() < count) {
            int n = q.reap(1, q.depth(), 5_000_000_000L);
            assertTrue(n > 0, "timed out waiting for completions");
            for (int k = 0; k < n; k++) {
                assertEquals(null, out.put(q.tag(k), q.result(k)), "tag completed twice");
            }
        }
        return out;
    }
}
