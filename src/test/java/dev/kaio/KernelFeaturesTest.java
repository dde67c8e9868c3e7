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

import static dev.kaio.testing.TestFiles.assertBytesEqual;
import static dev.kaio.testing.TestFiles.randomBytes;
import static dev.kaio.testing.TestFiles.readWithFileChannel;
import static dev.kaio.testing.TestFiles.toBytes;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.engine.AioQueue;
import dev.kaio.engine.RawFile;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.testing.Fds;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Everything else the kernel AIO interface offers, each against the real kernel. */
class KernelFeaturesTest {

    // ------------------------------------------------------------------ user-space ring reaping

    @Test
    void ringReapingIsUsedAndAgreesWithTheSyscallPath() throws Exception {
        Path path = TestFiles.newDirectory("ring").resolve("data");
        int blocks = 256;
        Files.write(path, randomBytes(5, blocks * 4096));
        Map<Long, String> viaRing = readAllBlocks(path, blocks, AioQueue.Options.defaults(), true);
        Map<Long, String> viaSyscall = readAllBlocks(path, blocks, AioQueue.Options.defaults().forceSyscalls(true), false);
        assertEquals(blocks, viaRing.size());
        assertEquals(viaSyscall, viaRing, "same tags, same results, same bytes");
    }

    private static Map<Long, String> readAllBlocks(Path path, int blocks, AioQueue.Options options, boolean ring)
            throws Exception {
        Map<Long, String> out = new HashMap<>();
        try (AioQueue q = AioQueue.open(16, options); RawFile f = RawFile.open(path, READ, AioOpenOption.DIRECT);
                Arena arena = Arena.ofConfined()) {
            assertEquals(ring, q.reapsFromRing());
            MemorySegment[] bufs = new MemorySegment[16];
            for (int i = 0; i < 16; i++) {
                bufs[i] = DirectBuffers.allocate(arena, 4096, 4096);
            }
            int next = 0;
            while (out.size() < blocks) {
                while (next < blocks && q.remaining() > 0) {
                    q.prepareRead(f.fd(), bufs[next % 16], next * 4096L, next);
                    next++;
                    if (next % 16 == 0) {
                        break; // one buffer per slot: submit a round, then reap it whole
                    }
                }
                q.submit();
                int want = q.inFlight();
                int got = 0;
                while (got < want) {
                    int n = q.reap(1, 16, -1);
                    for (int k = 0; k < n; k++) {
                        long tag = q.tag(k);
                        MemorySegment b = bufs[(int) (tag % 16)];
                        out.put(tag, q.result(k) + ":" + java.util.Arrays.hashCode(toBytes(b)));
                    }
                    got += n;
                }
            }
            if (ring) {
                assertTrue(q.ringCompletions() > 0, "no completion came from the ring");
            } else {
                assertEquals(0, q.ringCompletions());
            }
            assertEquals(blocks, q.ringCompletions() + q.syscallCompletions());
        }
        return out;
    }

    /**
     * A context with a reaper thread collects every completion from the ring (its waiting threads and its
     * reaper read the ring; nobody calls io_getevents), or, with forceSyscalls, every one with
     * io_getevents: counted, for waited-on reads and for reads completed by callbacks.
     */
    @Test
    void theContextsReaperReadsTheRingAndCanBeForcedToSyscalls() throws Exception {
        Path path = TestFiles.newDirectory("ringctx").resolve("data");
        Files.write(path, randomBytes(6, 64 * 4096));
        for (boolean force : new boolean[] {false, true}) {
            try (AioContext ctx = AioContext.open(8, AioContext.Options.defaults().forceSyscalls(force));
                    AioFile file = AioFile.open(ctx, path, READ); Arena arena = Arena.ofShared()) {
                assertEquals(!force, ctx.reapsFromRing());
                List<CompletableFuture<Integer>> fs = new ArrayList<>();
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < 64; i++) {
                        CompletableFuture<Integer> f = file.read(arena.allocate(4096), i * 4096L);
                        fs.add(f);
                        if (i % 8 == 0) {
                            assertEquals(4096, f.join()); // a waiting thread reaps itself
                        }
                    }
                }
                for (CompletableFuture<Integer> f : fs) {
                    assertEquals(4096, f.join());
                }
                if (force) {
                    assertEquals(0, ctx.ringCompletions(), "forceSyscalls: nothing read from the ring");
                    assertEquals(20 * 64, ctx.syscallCompletions());
                } else {
                    assertEquals(20 * 64, ctx.ringCompletions(), "every completion read from the ring");
                    assertEquals(0, ctx.syscallCompletions(), "a context with a reaper never calls io_getevents");
                }
            }
        }
    }

    /**
     * Completions that wait in the ring before anyone reaps come from the ring. An eventfd context has no
     * reaper thread, and its eventfd is signalled by the kernel once per completion, after the event is
     * in the ring (fs/aio.c, aio_complete): once the test has read K from it, K events wait in the ring
     * and no future is complete. processCompletions() then collects exactly those K from the ring and
     * calls io_getevents for none (with forceSyscalls: K from io_getevents, none from the ring).
     */
    @ParameterizedTest(name = "forceSyscalls={0}")
    @ValueSource(booleans = {false, true})
    void completionsWaitingInTheRingAreCollectedFromIt(boolean force) throws Exception {
        Path path = TestFiles.newDirectory("ringwait").resolve("data");
        int k = 24;
        byte[] data = randomBytes(61, k * 4096);
        Files.write(path, data);
        AioContext ctx = AioContext.open(32, AioContext.Options.defaults().eventFd().forceSyscalls(force));
        try (AioFile direct = AioFile.open(ctx, path, READ, AioOpenOption.DIRECT);
                AioFile buffered = AioFile.open(ctx, path, READ); Arena arena = Arena.ofShared()) {
            assertEquals(!force, ctx.reapsFromRing());
            int efd = ctx.eventFd();
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            List<MemorySegment> bufs = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                MemorySegment b = DirectBuffers.allocate(arena, 4096, 4096);
                bufs.add(b);
                fs.add((i % 2 == 0 ? direct : buffered).read(b, i * 4096L)); // O_DIRECT ones complete later
            }
            long signalled = 0;
            while (signalled < k) {
                signalled += Fds.readEventFd(efd); // blocks until the kernel has completed more
            }
            assertEquals(k, signalled, "one signal per completion");
            for (int i = 0; i < k; i++) {
                assertFalse(fs.get(i).isDone(), "read " + i + " was collected before the test asked");
            }
            assertEquals(0, ctx.ringCompletions() + ctx.syscallCompletions(), "nothing collected yet");
            assertEquals(k, ctx.processCompletions(), "every waiting completion, at once");
            if (force) {
                assertEquals(0, ctx.ringCompletions());
                assertEquals(k, ctx.syscallCompletions());
            } else {
                assertEquals(k, ctx.ringCompletions(), "the waiting completions came from the ring");
                assertEquals(0, ctx.syscallCompletions(), "and io_getevents was not called for them");
            }
            for (int i = 0; i < k; i++) {
                assertTrue(fs.get(i).isDone());
                assertEquals(4096, fs.get(i).join());
                assertBytesEqual(java.util.Arrays.copyOfRange(data, i * 4096, (i + 1) * 4096), toBytes(bufs.get(i)),
                        "read " + i);
            }
        } finally {
            ctx.close();
            assertEquals(-1, ctx.processCompletions());
        }
    }

    // ------------------------------------------------------------------ eventfd

    @Test
    void anEventFdContextIsDrivenByAThreadParkedInRead() throws Exception {
        Path path = TestFiles.newDirectory("efd").resolve("data");
        Files.write(path, randomBytes(7, 32 * 4096));
        try (AioContext ctx = AioContext.open(32, AioContext.Options.defaults().eventFd());
                AioFile file = AioFile.open(ctx, path, READ); Arena arena = Arena.ofShared()) {
            int efd = ctx.eventFd();
            assertTrue(efd >= 0);
            assertThrows(IllegalStateException.class, () -> {
                try (AioContext withReaper = AioContext.open(1)) {
                    withReaper.processCompletions();
                }
            });
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                fs.add(file.read(arena.allocate(4096), i * 4096L));
            }
            // an "event loop": parks in read(eventfd), then completes what the kernel signalled
            AtomicInteger signalled = new AtomicInteger();
            AtomicInteger processed = new AtomicInteger();
            Thread loop = Thread.ofPlatform().start(() -> {
                try {
                    while (processed.get() < 32) {
                        signalled.addAndGet((int) Fds.readEventFd(efd));
                        processed.addAndGet(ctx.processCompletions());
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            loop.join(30_000);
            assertFalse(loop.isAlive(), "the event loop did not see every completion");
            assertEquals(32, signalled.get(), "the kernel adds 1 to the eventfd per completion");
            assertEquals(32, processed.get());
            for (CompletableFuture<Integer> f : fs) {
                assertTrue(f.isDone());
                assertEquals(4096, f.join());
            }
            // more requests than slots: the submitting thread collects completions itself
            List<CompletableFuture<Integer>> more = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                more.add(file.read(arena.allocate(4096), (i % 32) * 4096L));
            }
            while (!more.stream().allMatch(CompletableFuture::isDone)) {
                ctx.awaitCompletions(100, TimeUnit.MILLISECONDS);
            }
            assertEquals(200, more.stream().filter(f -> f.join() == 4096).count());
            // the loop's side of close(): processCompletions() answers -1 and the eventfd is closed (without
            // it, only the context's cleaner would close it, whenever the GC gets to it)
            ctx.close();
            assertEquals(-1, ctx.processCompletions());
            assertEquals(-1, ctx.eventFd());
        }
    }

    @Test
    void theLowLevelQueueSignalsItsEventFd() throws Exception {
        Path path = TestFiles.newDirectory("efdq").resolve("data");
        Files.write(path, new byte[8 * 4096]);
        try (AioQueue q = AioQueue.open(8, AioQueue.Options.defaults().eventFd(true));
                RawFile f = RawFile.open(path, READ); Arena arena = Arena.ofConfined();
                AioContext watcher = AioContext.open(1)) {
            for (int i = 0; i < 8; i++) {
                q.prepareRead(f.fd(), arena.allocate(4096), i * 4096L, i);
            }
            // an IOCB_CMD_POLL on the queue's eventfd, through another context, waits for readiness
            CompletableFuture<Integer> readable = watcher.poll(q.eventFd(), PollEvents.POLLIN);
            q.submit();
            assertTrue((readable.get(10, TimeUnit.SECONDS) & PollEvents.POLLIN) != 0);
            int got = 0;
            long signalled = 0;
            while (got < 8) {
                signalled += Fds.readEventFd(q.eventFd());
                got += q.reap(0, 8, 0);
            }
            assertEquals(8, signalled);
        }
    }

    // ------------------------------------------------------------------ per-request flags

    @Test
    void nowaitOnAFileNotInThePageCacheWouldBlockAndCanBeRetried() throws Exception {
        Path path = TestFiles.newDirectory("nowait").resolve("cold");
        byte[] data = randomBytes(8, 8 << 20);
        Files.write(path, data);
        Fds.evictFromPageCache(path);
        try (AioContext ctx = AioContext.open(8); AioFile file = AioFile.open(ctx, path, READ);
                Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(64 * 1024);
            IoOptions nowait = IoOptions.of(RwFlag.NOWAIT);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> file.read(buf, 4L << 20, nowait).get(10, TimeUnit.SECONDS));
            WouldBlockException wb = assertInstanceOf(WouldBlockException.class, e.getCause());
            assertEquals(Errno.EAGAIN, wb.errno());
            assertTrue(wb.getMessage().contains("NOWAIT"), wb.getMessage());

            // the caller's retry: the same request without the flag, which waits for the disk
            assertEquals(buf.byteSize(), (long) file.read(buf, 4L << 20).get(10, TimeUnit.SECONDS));
            // now cached: NOWAIT succeeds
            assertEquals(buf.byteSize(), (long) file.read(buf, 4L << 20, nowait).get(10, TimeUnit.SECONDS));

            // the opt-in automatic retry on another cold range
            MemorySegment buf2 = arena.allocate(64 * 1024);
            assertEquals(buf2.byteSize(),
                    (long) file.read(buf2, 6L << 20, nowait.retryWithoutNowait()).get(10, TimeUnit.SECONDS));
            byte[] expected = java.util.Arrays.copyOfRange(data, 6 << 20, (6 << 20) + 65536);
            assertBytesEqual(expected, toBytes(buf2), "retried read");
        }
    }

    @Test
    void syncAppendHipriAndPriorityFlagsWork() throws Exception {
        Path path = TestFiles.newDirectory("flags").resolve("f");
        try (AioContext ctx = AioContext.open(8); AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE);
                Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(100);
            a.fill((byte) 'a');
            MemorySegment b = arena.allocate(50);
            b.fill((byte) 'b');
            assertEquals(100, file.write(a, 0, IoOptions.of(RwFlag.DSYNC)).join());
            assertEquals(100, file.write(a, 100, IoOptions.of(RwFlag.SYNC, RwFlag.HIPRI)).join());
            // RWF_APPEND ignores the position
            assertEquals(50, file.write(b, 0, IoOptions.of(RwFlag.APPEND)).join());
            assertEquals(250, file.size());
            assertEquals('b', readWithFileChannel(path, 249, 1)[0]);
            assertEquals('a', readWithFileChannel(path, 0, 1)[0]);
            for (IoPriority p : List.of(IoPriority.of(IoPriority.IoClass.BE, 0), IoPriority.of(IoPriority.IoClass.BE, 7),
                    IoPriority.of(IoPriority.IoClass.IDLE, 0), IoPriority.of(IoPriority.IoClass.RT, 3))) {
                // RT needs CAP_SYS_ADMIN or CAP_SYS_NICE: as root it is accepted, otherwise EPERM
                CompletableFuture<Integer> f = file.read(arena.allocate(10), 0, IoOptions.NONE.withPriority(p));
                if (p.ioClass() == IoPriority.IoClass.RT && !dev.kaio.testing.LoopDevice.isRoot()) {
                    assertEquals(Errno.EPERM, ((AioException) assertThrows(CompletionException.class, f::join)
                            .getCause()).errno());
                } else {
                    assertEquals(10, f.join(), p.toString());
                }
            }
        }
    }

    @Test
    void aFlagTheFilesystemRejectsIsAClearErrorNotAHang() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && TestFiles.filesystemType(shm).equals("tmpfs"),
                "needs a tmpfs at /dev/shm (tmpfs refuses RWF_NOWAIT)");
        Path path = Files.createTempFile(shm, "kaio-nowait", ".tmp");
        try (AioContext ctx = AioContext.open(4); AioFile file = AioFile.open(ctx, path, READ, WRITE);
                Arena arena = Arena.ofShared()) {
            CompletableFuture<Integer> f = file.read(arena.allocate(512), 0, IoOptions.of(RwFlag.NOWAIT));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            AioException aio = assertInstanceOf(AioException.class, e.getCause());
            assertEquals(Errno.EOPNOTSUPP, aio.errno());
            assertTrue(aio.getMessage().startsWith("io_submit: EOPNOTSUPP"), aio.getMessage());
            assertTrue(aio.getMessage().contains("does not support these flags"), aio.getMessage());
            assertEquals(0, ctx.inFlight());
            assertEquals(0, file.read(arena.allocate(512), 0).get(10, TimeUnit.SECONDS), "the context still works");
        } finally {
            Files.deleteIfExists(path);
        }
        // an ioprio class the kernel does not know, through the low-level engine
        Path f2 = TestFiles.newDirectory("ioprio").resolve("f");
        Files.write(f2, new byte[512]);
        try (AioQueue q = AioQueue.open(1); RawFile raw = RawFile.open(f2, READ); Arena arena = Arena.ofConfined()) {
            q.prepareRead(raw.fd(), arena.allocate(512), 0, 1, 0, 4 << 13);
            q.submit();
            q.reap(1, 1, -1);
            assertEquals(-Errno.EINVAL, q.result(0));
        }
    }

    @Test
    void flagAndPollValuesMatchTheBindings() {
        assertEquals(LinuxH.RWF_HIPRI(), RwFlag.HIPRI.bits());
        assertEquals(LinuxH.RWF_DSYNC(), RwFlag.DSYNC.bits());
        assertEquals(LinuxH.RWF_SYNC(), RwFlag.SYNC.bits());
        assertEquals(LinuxH.RWF_NOWAIT(), RwFlag.NOWAIT.bits());
        assertEquals(LinuxH.RWF_APPEND(), RwFlag.APPEND.bits());
        assertEquals(LinuxH.IOPRIO_CLASS_RT(), IoPriority.IoClass.RT.value());
        assertEquals(LinuxH.IOPRIO_CLASS_BE(), IoPriority.IoClass.BE.value());
        assertEquals(LinuxH.IOPRIO_CLASS_IDLE(), IoPriority.IoClass.IDLE.value());
        assertEquals(LinuxH.IOPRIO_CLASS_SHIFT(), 13);
        assertEquals(LinuxH.POLLIN(), PollEvents.POLLIN);
        assertEquals(LinuxH.POLLOUT(), PollEvents.POLLOUT);
        assertEquals(LinuxH.POLLPRI(), PollEvents.POLLPRI);
        assertEquals(LinuxH.POLLERR(), PollEvents.POLLERR);
        assertEquals(LinuxH.POLLHUP(), PollEvents.POLLHUP);
        assertEquals(LinuxH.POLLRDNORM(), PollEvents.POLLRDNORM);
        assertThrows(IllegalArgumentException.class, () -> IoPriority.of(IoPriority.IoClass.BE, 8));
    }

    // ------------------------------------------------------------------ POLL

    @Test
    void pollOnAPipeCompletesWhenDataArrives() throws Exception {
        int[] pipe = Fds.pipe();
        try (AioContext ctx = AioContext.open(4)) {
            CompletableFuture<Integer> readable = ctx.poll(pipe[0], PollEvents.POLLIN);
            assertThrows(TimeoutException.class, () -> readable.get(200, TimeUnit.MILLISECONDS));
            assertEquals(1, ctx.inFlight());
            Fds.write(pipe[1], new byte[] {42});
            int revents = readable.get(10, TimeUnit.SECONDS);
            assertTrue((revents & PollEvents.POLLIN) != 0, "revents 0x" + Integer.toHexString(revents));
            // the write end is always writable
            assertTrue((ctx.poll(pipe[1], PollEvents.POLLOUT).get(10, TimeUnit.SECONDS) & PollEvents.POLLOUT) != 0);
            // closing the write end hangs up the read end
            int[] other = Fds.pipe();
            CompletableFuture<Integer> hup = ctx.poll(other[0], PollEvents.POLLIN);
            Fds.close(other[1]);
            assertTrue((hup.get(10, TimeUnit.SECONDS) & PollEvents.POLLHUP) != 0);
            Fds.close(other[0]);
            assertThrows(IllegalArgumentException.class, () -> ctx.poll(-1, PollEvents.POLLIN));
            assertThrows(IllegalArgumentException.class, () -> ctx.poll(pipe[0], 0));
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancellingAPollCallsIoCancelAndEndsTheFutureOnce() throws Exception {
        int[] pipe = Fds.pipe();
        try (AioContext ctx = AioContext.open(4)) {
            AtomicInteger endings = new AtomicInteger();
            CompletableFuture<Integer> f = ctx.poll(pipe[0], PollEvents.POLLIN);
            f.whenComplete((v, e) -> endings.incrementAndGet());
            assertEquals(1, ctx.inFlight());
            assertTrue(f.cancel(true), "the kernel cancels polls");
            assertTrue(f.isCancelled());
            assertThrows(CancellationException.class, f::join);
            assertFalse(f.cancel(true), "already ended");
            // the slot comes back once the kernel has delivered the cancelled completion
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ctx.inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, ctx.inFlight());
            assertEquals(1, endings.get());
            // a later write is not seen by the cancelled poll; a new poll sees it
            Fds.write(pipe[1], new byte[] {1});
            assertTrue((ctx.poll(pipe[0], PollEvents.POLLIN).get(10, TimeUnit.SECONDS) & PollEvents.POLLIN) != 0);
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void cancellingReadsInFlightNeverLosesOrDoublesACompletion() throws Exception {
        Path path = TestFiles.newDirectory("cancel").resolve("data");
        byte[] data = randomBytes(9, 16 << 20);
        Files.write(path, data);
        Fds.evictFromPageCache(path);
        try (AioContext ctx = AioContext.open(64); AioFile file = AioFile.open(ctx, path, READ, AioOpenOption.DIRECT);
                Arena arena = Arena.ofShared()) {
            int n = 64;
            int bs = 256 * 1024;
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            List<MemorySegment> bufs = new ArrayList<>();
            AtomicInteger endings = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                MemorySegment b = DirectBuffers.allocate(arena, bs, 4096);
                bufs.add(b);
                CompletableFuture<Integer> f = file.read(b, (long) i * bs);
                f.whenComplete((v, e) -> endings.incrementAndGet());
                fs.add(f);
            }
            int cancelled = 0;
            for (CompletableFuture<Integer> f : fs) {
                if (f.cancel(true)) {
                    cancelled++;
                }
            }
            for (int i = 0; i < n; i++) {
                CompletableFuture<Integer> f = fs.get(i);
                try {
                    assertEquals(bs, f.get(30, TimeUnit.SECONDS));
                    byte[] expected = java.util.Arrays.copyOfRange(data, i * bs, (i + 1) * bs);
                    assertBytesEqual(expected, toBytes(bufs.get(i)), "read " + i + " that was not cancelled");
                } catch (CancellationException e) {
                    assertTrue(f.isCancelled());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ctx.inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, ctx.inFlight(), "every slot came back: the kernel finished with every buffer");
            assertEquals(n, endings.get(), "each future ended exactly once");
            // Linux does not cancel reads of regular files: io_cancel answers EINVAL and the reads finish
            assertEquals(0, cancelled, "kernel " + Aio.features().kernelRelease() + " cancelled a file read");
        }
    }

    @Test
    void closingTheContextCancelsPendingPolls() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            AioContext ctx = AioContext.open(4);
            CompletableFuture<Integer> f = ctx.poll(pipe[0], PollEvents.POLLIN);
            ctx.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    // ------------------------------------------------------------------ probe

    @Test
    void theFeatureProbeReportsThisKernel() throws Exception {
        assertTrue(Aio.isAvailable());
        assertNull(Aio.unavailabilityCause());
        AioFeatures f = Aio.features();
        assertEquals(Files.readAllLines(Path.of("/proc/sys/kernel/osrelease")).get(0).trim(), f.kernelRelease());
        assertEquals(f, Aio.features(), "probed once, cached");
        String[] v = f.kernelRelease().split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        boolean atLeast418 = major > 4 || (major == 4 && minor >= 18);
        boolean atLeast61 = major > 6 || (major == 6 && minor >= 1);
        assertEquals(atLeast418, f.fsync(), f.details().toString());
        assertEquals(atLeast418, f.fdsync(), f.details().toString());
        assertEquals(atLeast418, f.poll(), f.details().toString());
        assertEquals(atLeast418, f.nowait(), f.details().toString());
        assertEquals(atLeast61, f.dioAlign(), f.details().toString());
        AioLimits l = Aio.limits();
        assertEquals(dev.kaio.testing.AioNr.aioMaxNr(), l.aioMaxNr());
        assertTrue(l.headroom() >= 0 && l.headroom() <= l.aioMaxNr());
        assertNotEquals(0, f.details().size());
    }
}
