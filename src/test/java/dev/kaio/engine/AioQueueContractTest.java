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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.AioException;
import dev.kaio.Errno;
import dev.kaio.IoPriority;
import dev.kaio.PollEvents;
import dev.kaio.RwFlag;
import dev.kaio.internal.sys.KernelContexts;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The low-level engine's contract, request by request: what each prepare method stages (checked by
 * reading or writing through FileChannel), the accounting of staged, in-flight and reaped requests,
 * and every argument and state check, on both sides of each bound.
 */
class AioQueueContractTest {

    @Test
    void openChecksItsDepthAndOptions() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> AioQueue.open(0));
        assertThrows(IllegalArgumentException.class, () -> AioQueue.open(KernelContexts.MAX_EVENTS + 1));
        assertThrows(IllegalArgumentException.class, () -> AioQueue.Options.defaults().iovecCapacity(0));
        assertThrows(NullPointerException.class, () -> AioQueue.open(1, (AioQueue.Options) null));
        try (AioQueue one = AioQueue.open(1); AioQueue withIovecs = AioQueue.open(2, 1)) {
            assertEquals(1, one.depth());
            assertEquals(1, one.remaining());
            assertEquals(-1, one.eventFd(), "no eventfd unless asked for");
            assertTrue(one.reapsFromRing());
            assertFalse(one.isClosed());
            assertEquals("AioQueue[ctx=0x" + Long.toHexString(one.contextId()) + ", depth=1, staged=0, inFlight=0]",
                    one.toString());
            assertEquals(2, withIovecs.depth());
        }
    }

    @Test
    void accountingFollowsEachRequestFromPrepareToReap() throws Exception {
        Path path = TestFiles.newDirectory("account").resolve("f");
        Files.write(path, randomBytes(30, 4 * 4096));
        try (AioQueue q = AioQueue.open(4); RawFile f = RawFile.open(path, READ); Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(4 * 4096L, 4096);
            q.prepareRead(f.fd(), b.asSlice(0, 4096), 0, 10);
            q.prepareRead(f.fd(), b.asSlice(4096, 4096), 4096, 11);
            assertEquals(2, q.staged());
            assertEquals(0, q.inFlight());
            assertEquals(2, q.remaining());
            assertTrue(q.toString().contains("staged=2, inFlight=0"), q.toString());
            assertEquals(2, q.submit());
            assertEquals(0, q.staged());
            assertEquals(2, q.inFlight());
            assertEquals(2, q.remaining());
            q.prepareRead(f.fd(), b.asSlice(8192, 4096), 8192, 12);
            assertEquals(1, q.remaining(), "staged and in flight both count");
            assertEquals(1, q.submit());
            Map<Long, Long> done = AioQueueTest.reapAll(q, 3);
            assertEquals(Map.of(10L, 4096L, 11L, 4096L, 12L, 4096L), done);
            assertEquals(0, q.inFlight());
            assertEquals(4, q.remaining());
            assertEquals(0, q.submit(), "nothing staged: nothing submitted");
            assertBytesEqual(readWithFileChannel(path, 0, 3 * 4096), toBytes(b.asSlice(0, 3 * 4096)), "the reads");
        }
    }

    @Test
    void completionsAreReadableOnlyByIndexOfTheLastReap() throws Exception {
        Path path = TestFiles.newDirectory("index").resolve("f");
        Files.write(path, new byte[4096]);
        try (AioQueue q = AioQueue.open(2); RawFile f = RawFile.open(path, READ); Arena arena = Arena.ofConfined()) {
            assertEquals(0, q.ready());
            assertThrows(IndexOutOfBoundsException.class, () -> q.tag(0));
            q.prepareRead(f.fd(), arena.allocate(100), 0, 5);
            q.prepareRead(f.fd(), arena.allocate(200), 0, 6);
            q.submit();
            int n = 0;
            while (n < 2) {
                int got = q.reap(1, 1, -1); // max 1: one at a time
                assertEquals(1, got);
                assertEquals(1, q.ready());
                assertThrows(IndexOutOfBoundsException.class, () -> q.tag(1));
                assertThrows(IndexOutOfBoundsException.class, () -> q.result(1));
                assertThrows(IndexOutOfBoundsException.class, () -> q.tag(-1));
                assertThrows(IndexOutOfBoundsException.class, () -> q.result(-1));
                assertEquals(q.tag(0) == 5 ? 100 : 200, q.result(0));
                n += got;
            }
            assertEquals(0, q.reap(0, 2, 0));
            assertEquals(0, q.ready(), "a new reap replaces the batch");
        }
        assertThrows(IllegalArgumentException.class, () -> AioQueue.failure(0, "read", "x"));
        assertThrows(IllegalArgumentException.class, () -> AioQueue.failure(5, "read", "x"));
        AioException e = AioQueue.failure(-Errno.EIO, "read", "tag 7");
        assertEquals(Errno.EIO, e.errno());
        assertEquals("read: EIO (Input/output error): tag 7", e.getMessage());
    }

    @Test
    void rawAddressesFlagsAndPrioritiesReachTheKernel() throws Exception {
        Path path = TestFiles.newDirectory("raw").resolve("f");
        try (AioQueue q = AioQueue.open(4); RawFile f = RawFile.open(path, READ, WRITE, CREATE);
                Arena arena = Arena.ofConfined()) {
            byte[] data = randomBytes(31, 3000);
            MemorySegment src = arena.allocate(3000);
            src.copyFrom(MemorySegment.ofArray(data));
            q.prepareWrite(f.fd(), src.address(), 1000, 0, 1);                                  // raw address
            q.prepareWrite(f.fd(), src.asSlice(1000, 1000), 1000, 2, RwFlag.DSYNC.bits(),
                    IoPriority.of(IoPriority.IoClass.BE, 4).value());                           // flags and ioprio
            q.prepareWrite(f.fd(), src.asSlice(2000, 1000), 2000, 3, 0, 0);
            q.submit();
            assertEquals(Map.of(1L, 1000L, 2L, 1000L, 3L, 1000L), AioQueueTest.reapAll(q, 3));
            assertBytesEqual(data, readWithFileChannel(path, 0, 3000), "written");

            MemorySegment dst = arena.allocate(3000);
            q.prepareRead(f.fd(), dst.address(), 1500, 0, 4);
            q.prepareRead(f.fd(), dst.asSlice(1500), 1500, 5, 0, IoPriority.of(IoPriority.IoClass.IDLE, 0).value());
            q.submit();
            assertEquals(Map.of(4L, 1500L, 5L, 1500L), AioQueueTest.reapAll(q, 2));
            assertBytesEqual(data, toBytes(dst), "read");

            // an I/O priority class the kernel does not know: EINVAL, so the priority really is passed on
            q.prepareRead(f.fd(), dst, 0, 6, 0, 5 << 13);
            q.submit();
            assertEquals(Map.of(6L, (long) -Errno.EINVAL), AioQueueTest.reapAll(q, 1));
            // a flag the kernel does not know: EOPNOTSUPP, so the flags really are passed on
            q.prepareWrite(f.fd(), src, 0, 7, 1 << 20, 0);
            q.submit();
            assertEquals(Map.of(7L, (long) -Errno.EOPNOTSUPP), AioQueueTest.reapAll(q, 1));
            // RWF_APPEND lands at the end whatever the position
            q.prepareWrite(f.fd(), src.asSlice(0, 10), 0, 8, RwFlag.APPEND.bits(), 0);
            q.submit();
            assertEquals(Map.of(8L, 10L), AioQueueTest.reapAll(q, 1));
            assertEquals(3010, f.size());
        }
    }

    @Test
    void everyArgumentIsCheckedBeforeAnythingIsStaged() throws Exception {
        Path path = TestFiles.newDirectory("args").resolve("f");
        Files.write(path, new byte[8192]);
        try (AioQueue q = AioQueue.open(2, AioQueue.Options.defaults().iovecCapacity(4));
                RawFile f = RawFile.open(path, READ, WRITE); Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(512);
            MemorySegment heap = MemorySegment.ofArray(new byte[512]);
            assertThrows(IllegalArgumentException.class, () -> q.prepareRead(f.fd(), 0, 512, 0, 1), "null address");
            assertThrows(IllegalArgumentException.class, () -> q.prepareRead(f.fd(), b.address(), -1, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> q.prepareWrite(f.fd(), 0, 512, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> q.prepareWrite(f.fd(), heap, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> q.prepareWrite(f.fd(), heap, 0, 1, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> q.prepareRead(f.fd(), heap, 0, 1, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> q.prepareRead(f.fd(), b.asReadOnly(), 0, 1, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> q.prepareWrite(f.fd(), b, -1, 1));
            assertThrows(IllegalArgumentException.class, () -> q.preparePoll(0, 0x10000, 1));
            MemorySegment[] v = {b, b, b, b, b};
            assertThrows(IllegalArgumentException.class, () -> q.prepareReadv(f.fd(), v, 0, 0, 1), "no segment");
            assertThrows(IllegalArgumentException.class, () -> q.prepareReadv(f.fd(), new MemorySegment[2], 3, 0, 1),
                    "more than the array");
            assertThrows(IllegalArgumentException.class,
                    () -> q.prepareReadv(f.fd(), new MemorySegment[1025], 1025, 0, 1), "more than IOV_MAX");
            assertThrows(IllegalArgumentException.class,
                    () -> q.prepareReadv(f.fd(), new MemorySegment[] {b, b.asReadOnly()}, 2, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> q.prepareWritev(f.fd(), new MemorySegment[] {heap}, 1, 0, 1));
            assertThrows(IllegalStateException.class, () -> q.prepareWritev(f.fd(), v, 5, 0, 1),
                    "5 iovecs do not fit a staging area of 4");
            assertEquals(0, q.staged(), "nothing was staged by a refused call");
            assertEquals(2, q.remaining());

            q.prepareWritev(f.fd(), v, 4, 0, 1); // exactly the staging area
            assertThrows(IllegalStateException.class, () -> q.prepareWritev(f.fd(), v, 1, 0, 2), "area full until submit");
            assertEquals(1, q.submit());
            q.prepareWritev(f.fd(), v, 1, 0, 2); // submit() emptied the area
            q.submit();
            assertEquals(Map.of(1L, 2048L, 2L, 512L), AioQueueTest.reapAll(q, 2));

            q.preparePoll(0, 0xffff, 3); // the largest mask
            q.preparePoll(f.fd(), PollEvents.POLLIN, 4);
            assertThrows(IllegalStateException.class, () -> q.preparePoll(f.fd(), PollEvents.POLLIN, 5), "full");
            q.close();
            assertTrue(q.isClosed());
            assertTrue(q.toString().endsWith(", closed]"), q.toString());
            assertThrows(IllegalStateException.class, () -> q.preparePoll(f.fd(), PollEvents.POLLIN, 6));
            assertThrows(IllegalStateException.class, () -> q.prepareRead(f.fd(), b, 0, 6, 0, 0));
            assertThrows(IllegalStateException.class, () -> q.prepareReadv(f.fd(), v, 1, 0, 6));
            assertThrows(ClosedChannelException.class, () -> q.reap(0, 1, 0));
        }
    }

    @Test
    void aBatchStagedAfterAPartlyRefusedOneIsSubmittedWhole() throws Exception {
        Path path = TestFiles.newDirectory("batch").resolve("f");
        Files.write(path, randomBytes(32, 8 * 4096));
        try (AioQueue q = AioQueue.open(8); RawFile f = RawFile.open(path, READ); Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(8 * 4096L);
            for (int round = 0; round < 3; round++) {
                q.prepareRead(f.fd(), b.asSlice(0, 4096), 0, 100);
                q.prepareRead(-1, b.asSlice(4096, 4096), 4096, 101);          // refused: EBADF
                q.prepareRead(f.fd(), b.asSlice(8192, 4096), 8192, 102);
                q.prepareRead(-1, b.asSlice(12288, 4096), 12288, 103);        // refused
                assertEquals(2, q.submit(), "round " + round);
                assertEquals(2, q.inFlight());
                assertEquals(4, q.remaining(), "refused requests hold their place until reaped");
                Map<Long, Long> r = AioQueueTest.reapAll(q, 4);
                assertEquals(Map.of(100L, 4096L, 101L, (long) -Errno.EBADF, 102L, 4096L, 103L, (long) -Errno.EBADF), r);
                assertEquals(8, q.remaining());
            }
            // a reap that can only take one refused request at a time
            q.prepareRead(-1, b, 0, 200);
            q.prepareRead(-1, b, 0, 201);
            assertEquals(0, q.submit());
            assertEquals(1, q.reap(0, 1, 0));
            long first = q.tag(0);
            assertEquals(1, q.reap(0, 1, 0));
            assertEquals(401, first + q.tag(0), "each refused request reported once");
            assertEquals(-Errno.EBADF, q.result(0));
            assertEquals(0, q.reap(0, 8, 0));
        }
    }

    /**
     * Every prepare method, including the ones with per-request flags and the vectored ones, refuses a
     * full queue and a closed one with its own message (never an out-of-bounds write into the staging
     * area or into freed memory).
     */
    @Test
    void everyPrepareRefusesAFullOrAClosedQueue() throws Exception {
        Path p = TestFiles.newDirectory("qfull").resolve("f");
        Files.write(p, new byte[4096]);
        try (Arena arena = Arena.ofConfined(); RawFile f = RawFile.open(p, READ, WRITE)) {
            MemorySegment b = arena.allocate(512, 512);
            MemorySegment[] v = {b};
            AioQueue q = AioQueue.open(1);
            q.prepareRead(f.fd(), b, 0, 1);
            for (boolean closed : new boolean[] {false, true}) {
                if (closed) {
                    q.close();
                }
                String expected = closed ? "AioQueue is closed" : "AioQueue is full";
                java.util.List<org.junit.jupiter.api.function.Executable> prepares = java.util.List.of(
                        () -> q.prepareRead(f.fd(), b, 0, 2, 0, 0),
                        () -> q.prepareWrite(f.fd(), b, 0, 2, 0, 0),
                        () -> q.prepareReadv(f.fd(), v, 1, 0, 2),
                        () -> q.prepareWritev(f.fd(), v, 1, 0, 2),
                        () -> q.prepareFsync(f.fd(), 2),
                        () -> q.preparePoll(f.fd(), PollEvents.POLLIN, 2));
                for (org.junit.jupiter.api.function.Executable prepare : prepares) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, prepare);
                    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
                }
            }
        }
    }
}
