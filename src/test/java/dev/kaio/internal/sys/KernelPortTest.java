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
package dev.kaio.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.Errno;
import dev.kaio.engine.RawFile;
import dev.kaio.internal.core.Request;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.testing.Fds;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The kernel port ({@link LinuxKernel}) on the paths the engine's tests cannot tell apart: where a
 * vectored request's iovecs are written (each slot's own area, or the shared one for long vectors,
 * whose lock must be let go), that IOCB_FLAG_RESFD is set exactly when an eventfd is given, and that
 * an io_submit refused with EAGAIN is retried for a while before the refusal is returned.
 */
class KernelPortTest {

    private static final int SEGMENT = 512;

    /** A PWRITEV of {@code count} segments of SEGMENT bytes, segment i filled with {@code seed + i}. */
    private static Request writev(Arena arena, int fd, int count, int seed, long position) {
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MemorySegment s = arena.allocate(SEGMENT, 8);
            s.fill((byte) (seed + i));
            segments.add(s);
        }
        Request r = new Request();
        r.opcode = Iocbs.CMD_PWRITEV;
        r.fd = fd;
        r.buffers = segments;
        r.position = position;
        return r;
    }

    private static void assertWritten(Path file, int count, int seed, long position) throws Exception {
        byte[] got = TestFiles.readWithFileChannel(file, position, count * SEGMENT);
        for (int i = 0; i < got.length; i++) {
            assertEquals((byte) (seed + i / SEGMENT), got[i], "byte " + i + " of the vector written at " + position);
        }
    }

    /** Waits for {@code n} events; returns them as [userData, res]. */
    private static List<long[]> await(LinuxKernel k, int n) {
        List<long[]> events = new ArrayList<>();
        while (events.size() < n) {
            int got = k.reapWaiting((d, res) -> events.add(new long[] {d, res}), TimeUnit.SECONDS.toNanos(10));
            assertTrue(got > 0, "no event within 10 s (" + got + ")");
        }
        return events;
    }

    @Test
    void everySlotWritesItsVectorWhereTheKernelReadsIt() throws Exception {
        Path file = Files.createTempFile(TestFiles.newDirectory("port-slots"), "v", ".bin");
        int depth = 4;
        LinuxKernel k = LinuxKernel.open(depth, true);
        try (RawFile raw = RawFile.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            // one vector per slot, slot 0 included: each in its own slot's iovec area
            for (int slot = 0; slot < depth; slot++) {
                Request r = writev(arena, raw.fd(), LinuxKernel.INLINE_IOVECS, 10 * slot, slot * 8L * SEGMENT);
                assertEquals(1, k.submit(slot, 100 + slot, r, -1), "slot " + slot);
            }
            for (long[] e : await(k, depth)) {
                assertEquals(LinuxKernel.INLINE_IOVECS * (long) SEGMENT, e[1], "event of " + e[0]);
            }
            for (int slot = 0; slot < depth; slot++) {
                assertWritten(file, LinuxKernel.INLINE_IOVECS, 10 * slot, slot * 8L * SEGMENT);
            }
        } finally {
            k.destroy();
            k.release();
        }
    }

    @Test
    void aLongVectorUsesTheSharedAreaAndLetsItGoForTheNextThread() throws Exception {
        Path file = Files.createTempFile(TestFiles.newDirectory("port-long"), "v", ".bin");
        int count = LinuxKernel.INLINE_IOVECS + 3;
        LinuxKernel k = LinuxKernel.open(2, true);
        try (RawFile raw = RawFile.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena arena = Arena.ofShared()) {
            // the last slot: a vector written into its own inline area would run past the end of it
            assertEquals(1, k.submit(1, 1, writev(arena, raw.fd(), count, 1, 0), -1));
            await(k, 1);
            // another thread next: it must get the shared area, not wait forever for its lock
            CompletableFuture<Long> other = CompletableFuture.supplyAsync(
                    () -> k.submit(0, 2, writev(arena, raw.fd(), count, 50, count * (long) SEGMENT), -1));
            assertEquals(1L, other.get(10, TimeUnit.SECONDS));
            await(k, 1);
            assertWritten(file, count, 1, 0);
            assertWritten(file, count, 50, count * (long) SEGMENT);

            // a batch with a long vector in the last slot, after a short one
            Request small = writev(arena, raw.fd(), 2, 90, 4L * count * SEGMENT);
            Request large = writev(arena, raw.fd(), count, 70, 2L * count * SEGMENT);
            assertEquals(2, k.submitAll(new int[] {0, 1}, new Request[] {small, large}, new long[] {3, 4}, -1, 0, 2));
            await(k, 2);
            assertWritten(file, count, 70, 2L * count * SEGMENT);
            assertWritten(file, 2, 90, 4L * count * SEGMENT);
        } finally {
            k.destroy();
            k.release();
        }
    }

    @Test
    void theCompletionSignalsTheEventFdGivenAndNoOther() throws Exception {
        LinuxKernel k = LinuxKernel.open(2, true);
        int polled = k.createEventFd();
        int resfd = k.createEventFd();
        try {
            k.signalEventFd(polled); // the poll completes at once, and leaves this counter as it is
            Request poll = new Request();
            poll.opcode = Iocbs.CMD_POLL;
            poll.fd = polled;
            poll.position = LinuxH.POLLIN();

            assertEquals(1, k.submit(0, 1, poll, -1));
            await(k, 1);
            assertEquals(0, k.awaitEventFd(resfd, 0, 0), "no eventfd given: nothing signalled");

            assertEquals(1, k.submit(0, 2, poll, resfd));
            await(k, 1);
            assertEquals(1, k.awaitEventFd(resfd, 0, TimeUnit.SECONDS.toNanos(10)), "IOCB_FLAG_RESFD: signalled");

            assertEquals(1, k.submitAll(new int[] {1}, new Request[] {poll}, new long[] {3}, resfd, 0, 1));
            await(k, 1);
            assertEquals(1, k.awaitEventFd(resfd, 0, TimeUnit.SECONDS.toNanos(10)), "a batch's too");
        } finally {
            k.closeEventFd(polled);
            k.closeEventFd(resfd);
            k.destroy();
            k.release();
        }
    }

    /**
     * A context takes only so many requests (io_setup's nr_events, rounded up by the kernel); past
     * that, io_submit answers EAGAIN. The port makes it again 19 times, 100 µs apart (the engine's
     * accounting should make it impossible, so a brief stall is better than a failure), then returns it;
     * its counter of retries shows they happened (no clock involved).
     */
    @Test
    void eagainIsRetriedForAWhileThenReturned() throws Exception {
        LinuxKernel k = LinuxKernel.open(1, true);
        int[] pipe = Fds.pipe(); // nobody writes it: every poll stays in flight until io_destroy
        try {
            Request poll = new Request();
            poll.opcode = Iocbs.CMD_POLL;
            poll.fd = pipe[0];
            poll.position = LinuxH.POLLIN();
            int accepted = 0;
            long ret;
            while ((ret = k.submit(0, accepted, poll, -1)) == 1) {
                assertTrue(++accepted < 100_000, "the kernel never said EAGAIN");
            }
            assertEquals(-Errno.EAGAIN, ret, "after " + accepted + " polls in flight");
            assertEquals(LinuxKernel.EAGAIN_RETRIES, k.eagainRetries(), "made again before EAGAIN was returned");

            ret = k.submitAll(new int[] {0}, new Request[] {poll}, new long[] {-1}, -1, 0, 1);
            assertEquals(-Errno.EAGAIN, ret, "a batch");
            assertEquals(2L * LinuxKernel.EAGAIN_RETRIES, k.eagainRetries(), "a batch's io_submit too");
        } finally {
            assertEquals(0, k.destroy(), "io_destroy cancels the polls");
            k.release();
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }
}
