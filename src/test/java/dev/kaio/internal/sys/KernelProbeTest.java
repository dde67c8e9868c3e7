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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.AioException;
import dev.kaio.Errno;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.testing.Fds;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel probes one by one, on inputs that reach each of their answers (SystemLayerTest runs the
 * whole probe where it runs; there the RWF_NOWAIT probe stops at the pipe and STATX_DIOALIGN at the
 * scratch file, so their other answers need inputs of their own).
 */
class KernelProbeTest {

    private static final String RELEASE = KernelProbe.kernelRelease();

    @Test
    void thePollProbeAnswersTrueOnAKernelWithIocbCmdPoll() {
        assumeTrue(KernelProbe.atLeast(RELEASE, 4, 18), "IOCB_CMD_POLL needs Linux 4.18+, this is " + RELEASE);
        assertTrue(KernelFeatures.probePoll(), "POLLIN on a signalled eventfd through IOCB_CMD_POLL");
        assertTrue(KernelFeatures.poll(), "the cached answer agrees");
    }

    @Test
    void rwfNowaitOnACachedFileCompletes() throws Exception {
        Path dir = TestFiles.newDirectory("nowait");
        assumeFilesystem(dir, List.of("ext4", "xfs", "btrfs"), "RWF_NOWAIT reads");
        Path file = dir.resolve("cached");
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 7);
        Files.write(file, data); // in the page cache now: a RWF_NOWAIT read need not wait
        withOpenFile(file, 0, (arena, ctx, fd) -> {
            MemorySegment buf = arena.allocate(512, 512);
            assertEquals(new KernelProbe.Outcome(true, "a RWF_NOWAIT read of a file completed with 512"),
                    KernelProbe.nowaitOnFile(RELEASE, arena, ctx, fd, buf));
            assertEquals(7, buf.get(ValueLayout.JAVA_BYTE, 511));
            return null;
        });
    }

    @Test
    void rwfNowaitRefusedEverywhereFallsBackToTheKernelVersion() throws Exception {
        // a directory cannot honour RWF_NOWAIT (no FMODE_NOWAIT): io_submit answers EOPNOTSUPP, as a kernel
        // without the flag, or tmpfs before it had it, would
        Path dir = TestFiles.newDirectory("nowait-dir");
        withOpenFile(dir, 0, (arena, ctx, fd) -> {
            MemorySegment buf = arena.allocate(512, 512);
            assertEquals(new KernelProbe.Outcome(true, "Linux 6.1.0 has RWF_NOWAIT for AIO (4.13+), but the pipe and "
                    + "the scratch file here do not honour it (io_submit: EOPNOTSUPP): use a file on ext4, xfs or btrfs"),
                    KernelProbe.nowaitOnFile("6.1.0", arena, ctx, fd, buf));
            assertEquals(new KernelProbe.Outcome(false,
                    "refused on a pipe and on a file (io_submit: EOPNOTSUPP), and Linux 4.9.0 predates 4.13"),
                    KernelProbe.nowaitOnFile("4.9.0", arena, ctx, fd, buf));
            return null;
        });
    }

    @Test
    void dioAlignIsReadFromTheScratchFileWhenItsFilesystemAnswers() throws Exception {
        Path dir = TestFiles.newDirectory("dioalign");
        Path file = dir.resolve("scratch");
        Files.write(file, new byte[4096]);
        withOpenFile(file, 0, (arena, ctx, fd) -> {
            FileStat stat = FileStat.of(fd, file.toString());
            assumeTrue(stat.hasDioAlign(), dir + " (" + TestFiles.filesystemType(dir) + ") reports no STATX_DIOALIGN");
            assertEquals(new KernelProbe.Outcome(true, "statx answered STATX_DIOALIGN (mem " + stat.dioMemAlign()
                    + ", offset " + stat.dioOffsetAlign() + " on " + dir + ")"),
                    KernelProbe.dioAlign(RELEASE, fd, file, dir));
            return null;
        });
    }

    @Test
    void dioAlignFromAFileThatDoesNotAnswerLooksElsewhereThenAtTheVersion() throws Exception {
        // a pipe: statx on it never fills STATX_DIOALIGN
        int[] pipe = Fds.pipe();
        try {
            assertFalse(FileStat.of(pipe[0], "pipe").hasDioAlign());
            Path cwd = Path.of("").toAbsolutePath();
            boolean cwdAnswers = FileStat.ofPath(cwd).hasDioAlign();
            boolean varTmpAnswers = FileStat.ofPath(Path.of("/var/tmp")).hasDioAlign();
            KernelProbe.Outcome o = KernelProbe.dioAlign("6.1.0", pipe[0], Path.of("pipe"), Path.of("/nowhere"));
            if (cwdAnswers) {
                assertEquals(new KernelProbe.Outcome(true, "statx answered STATX_DIOALIGN on " + cwd), o);
            } else if (varTmpAnswers) {
                assertEquals(new KernelProbe.Outcome(true, "statx answered STATX_DIOALIGN on /var/tmp"), o);
            } else {
                assertEquals(new KernelProbe.Outcome(true, "no filesystem tried here reports it (/nowhere does not); "
                        + "Linux 6.1.0 has STATX_DIOALIGN (6.1+)"), o);
            }
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void aRequestThatCompletesWithAnErrorIsReportedByItsErrno() throws Exception {
        // O_DIRECT, nothing dirty in the page cache, a buffer at an unmapped address (the first pages are
        // never mapped): io_submit takes the read and it completes with -EFAULT
        assertEquals(new KernelProbe.Outcome(true, "Linux 6.1.0 has RWF_NOWAIT for AIO (4.13+), but the pipe and "
                + "the scratch file here do not honour it (completed with -EFAULT): use a file on ext4, xfs or btrfs"),
                directNowaitRead(true, true));
    }

    @Test
    void rwfNowaitThatWouldHaveToWaitIsEAGAIN() throws Exception {
        // O_DIRECT over pages just written and not yet written back: the read would have to flush them first
        assertEquals(new KernelProbe.Outcome(true, "EAGAIN: the data was not cached, as RWF_NOWAIT reports it"),
                directNowaitRead(false, false));
    }

    /** A RWF_NOWAIT read through {@link KernelProbe#nowaitOnFile} of an O_DIRECT file, into an unmapped buffer or not. */
    private static KernelProbe.Outcome directNowaitRead(boolean synced, boolean unmapped) throws Exception {
        Path dir = TestFiles.newDirectory("nowait-direct");
        assumeFilesystem(dir, List.of("ext4", "xfs"), "O_DIRECT reads that RWF_NOWAIT can refuse");
        Path file = dir.resolve("direct");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4096));
            if (synced) {
                ch.force(true);
            }
        }
        return withOpenFile(file, ArchConstants.O_DIRECT, (arena, ctx, fd) -> {
            MemorySegment buf = unmapped ? MemorySegment.ofAddress(4096).reinterpret(512) : arena.allocate(512, 4096);
            return KernelProbe.nowaitOnFile("6.1.0", arena, ctx, fd, buf);
        });
    }

    private static void assumeFilesystem(Path dir, List<String> types, String what) throws Exception {
        String fs = TestFiles.filesystemType(dir);
        assumeTrue(types.contains(fs), what + " need one of " + types + "; " + dir + " is on " + fs);
    }

    /** What a test does with a file open read-only, a one-event AIO context and an arena for the call. */
    private interface OnOpenFile<T> {
        T run(Arena arena, long ctx, int fd) throws Exception;
    }

    /** Opens {@code path} read-only (and {@code flags}), runs {@code test}, then closes the fd and the context. */
    private static <T> T withOpenFile(Path path, int flags, OnOpenFile<T> test) throws Exception {
        long ctx = KernelContexts.setup(1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            int fd = Libc.open(errno, arena.allocateFrom(path.toString()), LinuxH.O_RDONLY() | LinuxH.O_CLOEXEC() | flags, 0);
            assertTrue(fd >= 0, "open " + path + ": " + fd);
            try {
                return test.run(arena, ctx, fd);
            } finally {
                Libc.close(errno, fd);
            }
        } finally {
            KernelContexts.destroy(ctx);
        }
    }

    @Test
    void aProbeRequestThatDoesNotCompleteInTimeIsETIMEDOUT() throws Exception {
        long ctx = KernelContexts.setup(1);
        try (Arena arena = Arena.ofConfined(); EventFd efd = new EventFd(true)) {
            // POLLIN on an eventfd nobody signals, and no time to wait: io_getevents returns 0
            AioException e = assertThrows(AioException.class,
                    () -> KernelProbe.submitOne(arena, ctx, Iocbs.CMD_POLL, efd.fd(), LinuxH.POLLIN(), 0, 0, 1, 0));
            assertEquals(Errno.ETIMEDOUT, e.errno(), e.getMessage());
        } finally {
            KernelContexts.destroy(ctx); // cancels the poll still in flight
        }
    }
}
