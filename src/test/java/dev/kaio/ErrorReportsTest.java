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

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.Fds;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a failed request says: the exception type, the errno the kernel gave, and a message that
 * names the operation, the request (bytes, position, file, segments, flags, priority) and, where kaio
 * knows more than the errno, why. Each failure is provoked for real: a descriptor nobody opened, a FIFO
 * (no fsync, no data), a misaligned O_DIRECT request, a read-only file. Also the context's and file's
 * own argument checks and descriptions.
 */
class ErrorReportsTest {

    private static final int GUARD_SECONDS = 30;

    /** The exception {@code f} failed with (a hang guard, not a performance expectation). */
    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(GUARD_SECONDS, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void aPollOfADescriptorNobodyOpenedNamesIt() throws Exception {
        int nobody = 0x7fff0000;
        try (AioContext ctx = AioContext.open(2)) {
            AioException e = assertInstanceOf(AioException.class, failure(ctx.poll(nobody, PollEvents.POLLIN | PollEvents.POLLOUT)));
            assertEquals(Errno.EBADF, e.errno());
            assertEquals("io_submit", e.operation());
            assertEquals("io_submit: EBADF (Bad file descriptor): poll fd " + nobody + " for events 0x5 (fd " + nobody + ")",
                    e.getMessage());
            assertEquals(0, ctx.inFlight(), "a refused request holds no slot");
        }
    }

    @Test
    void aFifoRefusesFsyncAndNowaitAtSubmission() throws Exception {
        Path fifo = TestFiles.newDirectory("fifo").resolve("p");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        try (AioContext ctx = AioContext.open(4); AioFile file = AioFile.open(ctx, fifo, READ, WRITE);
                Arena arena = Arena.ofShared()) {
            AioException fsync = assertInstanceOf(AioException.class, failure(file.fsync()));
            assertEquals(Errno.EINVAL, fsync.errno());
            assertEquals("io_submit: EINVAL (Invalid argument): fsync of " + fifo
                    + " (IOCB_CMD_FSYNC/FDSYNC needs Linux 4.18+, and a file that supports it)", fsync.getMessage());
            AioException fdsync = assertInstanceOf(AioException.class, failure(file.fdatasync()));
            assertEquals("io_submit: EINVAL (Invalid argument): fdatasync of " + fifo
                    + " (IOCB_CMD_FSYNC/FDSYNC needs Linux 4.18+, and a file that supports it)", fdsync.getMessage());

            // a FIFO (unlike an anonymous pipe) does not take RWF_NOWAIT: refused at io_submit, flags and priority named
            IoOptions nowait = IoOptions.of(RwFlag.NOWAIT).withPriority(IoPriority.of(IoPriority.IoClass.BE, 3));
            AioException refused = assertInstanceOf(AioException.class, failure(file.read(arena.allocate(10), 0, nowait)));
            assertEquals(Errno.EOPNOTSUPP, refused.errno());
            assertEquals("io_submit: EOPNOTSUPP (Operation not supported): read 10 bytes at position 0 of " + fifo
                    + " with flags [NOWAIT] with ioprio class 2 level 3 (the kernel or this filesystem does not support"
                    + " these flags)", refused.getMessage());
            AioException refusedv = assertInstanceOf(AioException.class,
                    failure(file.readv(List.of(arena.allocate(4), arena.allocate(6)), 0, IoOptions.of(RwFlag.NOWAIT))));
            assertEquals("io_submit: EOPNOTSUPP (Operation not supported): readv 10 bytes at position 0 of " + fifo
                    + " in 2 segments with flags [NOWAIT] (the kernel or this filesystem does not support these flags)",
                    refusedv.getMessage());
            assertEquals(0, ctx.inFlight());
            // once written, the same read completes
            MemorySegment hello = arena.allocate(5);
            hello.copyFrom(MemorySegment.ofArray("hello".getBytes()));
            assertEquals(5, file.write(hello, 0).get(GUARD_SECONDS, TimeUnit.SECONDS));
            MemorySegment into = arena.allocate(10);
            assertEquals(5, file.read(into, 0).get(GUARD_SECONDS, TimeUnit.SECONDS), "data waiting: no wait");
            assertEquals("hello", new String(TestFiles.toBytes(into.asSlice(0, 5))));
        }
    }

    @Test
    void misalignedDirectRequestsSayWhichRuleTheyBreak() throws Exception {
        Path path = TestFiles.newDirectory("misaligned").resolve("f");
        Files.write(path, new byte[64 * 1024]);
        TestFiles.assertNotTmpfs(path.getParent());
        try (AioContext ctx = AioContext.open(4); AioFile file = AioFile.open(ctx, path, READ, WRITE, AioOpenOption.DIRECT);
                Arena arena = Arena.ofShared()) {
            DirectIoAlignment a = file.alignmentInfo();
            org.junit.jupiter.api.Assumptions.assumeTrue(a.offset() > 1 && !TestFiles.filesystemType(path).equals("btrfs"),
                    "needs a filesystem that refuses misaligned O_DIRECT (btrfs serves it buffered)");
            int align = file.alignment();
            MemorySegment buf = DirectBuffers.allocate(arena, 4L * align, align);
            IoOptions prio = IoOptions.NONE.withPriority(IoPriority.of(IoPriority.IoClass.BE, 3));

            AioException position = assertInstanceOf(AioException.class, failure(file.read(buf.asSlice(0, align), 1, prio)));
            assertEquals("read: EINVAL (Invalid argument): " + align + " bytes at position 1 of " + path
                    + " with ioprio class 2 level 3 (O_DIRECT: position 1 is not a multiple of " + a.offset() + " ("
                    + a.source() + "))", position.getMessage());

            AioException length = assertInstanceOf(AioException.class, failure(file.write(buf.asSlice(0, align + 1), 0)));
            assertEquals("write: EINVAL (Invalid argument): " + (align + 1) + " bytes at position 0 to " + path
                    + " (O_DIRECT: buffer length " + (align + 1) + " is not a multiple of " + a.offset() + " (" + a.source()
                    + "))", length.getMessage());

            AioException segment = assertInstanceOf(AioException.class, failure(file.writev(
                    List.of(buf.asSlice(0, align), buf.asSlice(align, align), buf.asSlice(2L * align, 7)), 0)));
            assertEquals("writev: EINVAL (Invalid argument): " + (2L * align + 7) + " bytes at position 0 to " + path
                    + " in 3 segments (O_DIRECT: segment 2 length 7 is not a multiple of " + a.offset() + " ("
                    + a.source() + "))", segment.getMessage());

            // the position rule is checked first, then each segment in order
            AioException both = assertInstanceOf(AioException.class,
                    failure(file.readv(List.of(buf.asSlice(0, 100), buf.asSlice(align, align)), 3)));
            assertTrue(both.getMessage().endsWith("(O_DIRECT: position 3 is not a multiple of " + a.offset() + " ("
                    + a.source() + "))"), both.getMessage());
            AioException first = assertInstanceOf(AioException.class,
                    failure(file.readv(List.of(buf.asSlice(0, 100), buf.asSlice(align, 7)), 0)));
            assertTrue(first.getMessage().endsWith("(O_DIRECT: segment 0 length 100 is not a multiple of " + a.offset()
                    + " (" + a.source() + "))"), first.getMessage());

            // at an aligned position other than 0: the position passes, the length does not
            AioException later = assertInstanceOf(AioException.class, failure(file.write(buf.asSlice(0, align + 1), align)));
            assertTrue(later.getMessage().endsWith("(O_DIRECT: buffer length " + (align + 1) + " is not a multiple of "
                    + a.offset() + " (" + a.source() + "))"), later.getMessage());


            assertEquals(align, file.read(buf.asSlice(0, align), align).get(GUARD_SECONDS, TimeUnit.SECONDS),
                    "aligned requests still work");
        }
    }

    @Test
    void theContextChecksItsArgumentsAndDescribesItself() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> AioContext.open(0));
        assertThrows(IllegalArgumentException.class, () -> AioContext.open(AioContext.MAX_QUEUE_DEPTH + 1));
        assertThrows(NullPointerException.class, () -> AioContext.open(1, null));
        AioContext ctx = AioContext.open(3);
        assertEquals(3, ctx.queueDepth());
        assertEquals(0, ctx.inFlight());
        assertEquals(-1, ctx.eventFd(), "a reaper context has no application eventfd");
        assertFalse(ctx.isClosed());
        assertEquals("AioContext[ctx=0x" + Long.toHexString(ctx.contextId()) + ", depth=3, inFlight=0]", ctx.toString());
        assertThrows(IllegalArgumentException.class, () -> ctx.poll(-1, PollEvents.POLLIN));
        assertThrows(IllegalArgumentException.class, () -> ctx.poll(0, 0));
        assertThrows(IllegalArgumentException.class, () -> ctx.poll(0, 0x10000));
        assertThrows(IllegalStateException.class, () -> ctx.awaitCompletions(1, TimeUnit.MILLISECONDS));
        ctx.close();
        assertTrue(ctx.isClosed());
        assertTrue(ctx.toString().endsWith(", closed]"), ctx.toString());
        assertInstanceOf(ClosedChannelException.class, failure(ctx.poll(0, PollEvents.POLLIN)));

        AioContext efd = AioContext.open(2, AioContext.Options.defaults().eventFd());
        try {
            assertTrue(efd.toString().endsWith(", depth=2, inFlight=0, eventfd]"), efd.toString());
            assertEquals(0, efd.processCompletions(), "nothing to do");
            assertEquals(0, efd.awaitCompletions(0, TimeUnit.SECONDS), "no wait: nothing");
            assertEquals(0, efd.awaitCompletions(-5, TimeUnit.SECONDS), "a negative wait is no wait");
            assertEquals(0, efd.awaitCompletions(1, TimeUnit.MILLISECONDS), "waited, nothing came");
            int[] pipe = Fds.pipe();
            try {
                CompletableFuture<Integer> p = efd.poll(pipe[0], PollEvents.POLLIN);
                Fds.write(pipe[1], new byte[] {1});
                int n = 0;
                while (n == 0) {
                    n = efd.awaitCompletions(GUARD_SECONDS, TimeUnit.SECONDS);
                }
                assertEquals(1, n);
                assertTrue(p.isDone());
                assertTrue((p.join() & PollEvents.POLLIN) != 0);
                // a completion callback that asks for completions gets 0: it is completing them already
                CompletableFuture<Integer> again = efd.poll(pipe[0], PollEvents.POLLIN);
                CompletableFuture<Integer> inCallback = again.thenApply(x -> efd.processCompletions());
                while (!inCallback.isDone()) {
                    efd.awaitCompletions(GUARD_SECONDS, TimeUnit.SECONDS);
                }
                assertEquals(0, inCallback.join());
            } finally {
                Fds.close(pipe[0]);
                Fds.close(pipe[1]);
            }
        } finally {
            efd.close();
        }
        assertEquals(-1, efd.awaitCompletions(1, TimeUnit.SECONDS), "closed");
        assertEquals(-1, efd.eventFd());
    }

    @Test
    void theFileChecksItsArgumentsAndDescribesItself() throws Exception {
        Path dir = TestFiles.newDirectory("filedesc");
        Path path = dir.resolve("f");
        try (AioContext ctx = AioContext.open(4); Arena arena = Arena.ofShared()) {
            AioFile file = AioFile.open(ctx, path, 0600, READ, WRITE, CREATE);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals(ctx, file.context());
            assertEquals(path, file.path());
            assertTrue(file.fd() >= 0);
            assertEquals(new DirectIoAlignment(1, 1, "buffered"), file.alignmentInfo());
            assertEquals("AioFile[" + path + "]", file.toString());
            assertThrows(NullPointerException.class, () -> AioFile.open(null, path, READ));
            assertThrows(NullPointerException.class, () -> file.read(arena.allocate(1), 0, null));
            assertThrows(NullPointerException.class, () -> file.write(arena.allocate(1), 0, null));
            assertThrows(NullPointerException.class, () -> file.readv(List.of(arena.allocate(1)), 0, null));
            assertThrows(NullPointerException.class, () -> file.writev(List.of(arena.allocate(1)), 0, null));
            assertThrows(NullPointerException.class, () -> file.write(null, 0));
            // a single transfer beyond Linux's MAX_RW_COUNT is refused before submission (nothing is touched)
            MemorySegment huge = arena.allocate(8).reinterpret(AioFile.MAX_TRANSFER + 1);
            assertThrows(IllegalArgumentException.class, () -> file.read(huge, 0));
            assertThrows(IllegalArgumentException.class, () -> file.write(huge, 0));
            MemorySegment half = arena.allocate(8).reinterpret(AioFile.MAX_TRANSFER / 2 + 1);
            assertThrows(IllegalArgumentException.class, () -> file.writev(List.of(half, half), 0));
            MemorySegment exact = arena.allocate(8).reinterpret(AioFile.MAX_TRANSFER);
            assertThrows(IllegalArgumentException.class, () -> file.readv(List.of(exact, arena.allocate(1)), 0),
                    "one byte over");
            assertEquals(0, ctx.inFlight());
            assertEquals(5, file.write(arena.allocate(5), 0).get(GUARD_SECONDS, TimeUnit.SECONDS), "a normal write");
            assertEquals(5, file.size());
            file.close();
            assertTrue(file.isClosed());
            assertEquals("AioFile[" + path + ", closed]", file.toString());
            assertThrows(ClosedChannelException.class, file::size);
            assertInstanceOf(ClosedChannelException.class, failure(file.fsync()));
            assertInstanceOf(ClosedChannelException.class, failure(file.readv(List.of(arena.allocate(1)), 0)));
        }
        try (AioContext ctx = AioContext.open(1); AioFile direct = AioFile.open(ctx, path, READ, AioOpenOption.DIRECT)) {
            assertEquals("AioFile[" + path + ", O_DIRECT]", direct.toString());
            assertTrue(direct.isDirect());
        }
    }
}
