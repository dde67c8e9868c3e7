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

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.AioException;
import dev.kaio.Errno;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.timespec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Probes what the running kernel's AIO implementation accepts, with real requests on a small
 * context and a scratch file: IOCB_CMD_FSYNC/FDSYNC (4.18+), IOCB_CMD_POLL (4.18+), RWF_NOWAIT in
 * aio_rw_flags (4.13+), STATX_DIOALIGN (6.1+).
 */
public final class KernelProbe {

    /** Outcome of one probe: supported, and what the kernel answered. */
    public record Outcome(boolean supported, String detail) {}

    public record Result(String kernelRelease, Outcome fsync, Outcome fdsync, Outcome poll, Outcome nowait,
            Outcome dioalign) {}

    private KernelProbe() {}

    /** The kernel release, from /proc/sys/kernel/osrelease (what uname -r prints). */
    public static String kernelRelease() {
        try {
            return KernelFiles.read(Path.of("/proc/sys/kernel/osrelease"));
        } catch (IOException e) {
            return System.getProperty("os.version", "unknown");
        }
    }

    /** Runs every probe; {@code scratchDir} holds a 4 KiB scratch file for the duration. */
    public static Result run(Path scratchDir) {
        String release = kernelRelease();
        Outcome poll = KernelFeatures.poll() ? new Outcome(true, "POLLIN on a signalled eventfd completed")
                : new Outcome(false, "io_submit refused IOCB_CMD_POLL");
        Path scratch = null;
        long ctx = 0;
        try (Arena arena = Arena.ofConfined()) {
            scratch = Files.createTempFile(scratchDir, ".kaio-probe", ".tmp");
            try (FileChannel ch = FileChannel.open(scratch, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(4096));
            }
            ctx = KernelContexts.setup(4);
            int fd;
            MemorySegment errno = Libc.errnoState(arena);
            fd = Libc.open(errno, arena.allocateFrom(scratch.toString()), LinuxH.O_RDWR() | LinuxH.O_CLOEXEC(), 0);
            if (fd < 0) {
                throw new AioException(-fd, "open", scratch.toString());
            }
            try {
                Outcome fsync = submitAndWait(arena, ctx, Iocbs.CMD_FSYNC, fd, 0, 0, 0);
                Outcome fdsync = submitAndWait(arena, ctx, Iocbs.CMD_FDSYNC, fd, 0, 0, 0);
                MemorySegment buf = arena.allocate(512, 512);
                Outcome nowait = nowait(release, arena, ctx, fd, buf);
                Outcome dioalign = dioAlign(release, fd, scratch, scratchDir);
                return new Result(release, fsync, fdsync, poll, nowait, dioalign);
            } finally {
                Libc.close(errno, fd);
            }
        } catch (IOException | RuntimeException e) {
            Outcome unknown = new Outcome(false, "probe failed: " + e.getMessage());
            return new Result(release, unknown, unknown, poll, unknown, unknown);
        } finally {
            if (ctx != 0) {
                try {
                    KernelContexts.destroy(ctx);
                } catch (AioException ignored) {
                    // nothing in flight: the probe waited for every request
                }
            }
            if (scratch != null) {
                try {
                    Files.deleteIfExists(scratch);
                } catch (IOException ignored) {
                    // a leftover 4 KiB scratch file is harmless
                }
            }
        }
    }

    /**
     * RWF_NOWAIT needs both the kernel (4.13+) and a file that can honour it (FMODE_NOWAIT): tmpfs, for
     * one, cannot, and answers EOPNOTSUPP like a kernel without the flag. So ask a pipe first (pipes take
     * RWF_NOWAIT on every kernel recent enough to matter), then the scratch file.
     */
    private static Outcome nowait(String release, Arena arena, long ctx, int scratchFd, MemorySegment buf) throws AioException {
        MemorySegment errno = Libc.errnoState(arena);
        MemorySegment fds = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT, 2);
        if (Libc.pipe2(errno, fds, LinuxH.O_CLOEXEC()) == 0) {
            int r = fds.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 0);
            int w = fds.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 1);
            try {
                buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
                Libc.write(errno, w, buf.address(), 1);
                Outcome onPipe = submitAndWait(arena, ctx, Iocbs.CMD_PREAD, r, buf.address(), 1, LinuxH.RWF_NOWAIT());
                if (onPipe.supported() || onPipe.detail().contains("EAGAIN")) {
                    return new Outcome(true, "a RWF_NOWAIT read of a pipe " + onPipe.detail());
                }
            } finally {
                Libc.close(errno, r);
                Libc.close(errno, w);
            }
        }
        return nowaitOnFile(release, arena, ctx, scratchFd, buf);
    }

    /** The file half of {@link #nowait}: a 512-byte RWF_NOWAIT read of {@code fd} at 0 into {@code buf}. */
    static Outcome nowaitOnFile(String release, Arena arena, long ctx, int fd, MemorySegment buf) throws AioException {
        Outcome onFile = submitAndWait(arena, ctx, Iocbs.CMD_PREAD, fd, buf.address(), 512, LinuxH.RWF_NOWAIT());
        if (onFile.supported()) {
            return new Outcome(true, "a RWF_NOWAIT read of a file " + onFile.detail());
        }
        if (onFile.detail().contains("EAGAIN")) {
            return new Outcome(true, "EAGAIN: the data was not cached, as RWF_NOWAIT reports it");
        }
        // EOPNOTSUPP from both: the kernel lacks the flag, or (pipes before 6.x, tmpfs) the files do
        boolean byVersion = atLeast(release, 4, 13);
        return new Outcome(byVersion, byVersion
                ? "Linux " + release + " has RWF_NOWAIT for AIO (4.13+), but the pipe and the scratch file here do not "
                        + "honour it (" + onFile.detail() + "): use a file on ext4, xfs or btrfs"
                : "refused on a pipe and on a file (" + onFile.detail() + "), and Linux " + release + " predates 4.13");
    }

    /**
     * STATX_DIOALIGN needs the kernel (6.1+) and a filesystem that fills it in (ext4, xfs, f2fs, ...; not
     * tmpfs, btrfs, NFS). Try the scratch file, the working directory and /var/tmp; if none reports it,
     * fall back to the kernel version and say so.
     */
    static Outcome dioAlign(String release, int scratchFd, Path scratch, Path scratchDir) throws AioException {
        FileStat stat = FileStat.of(scratchFd, scratch.toString());
        if ((stat.mask() & FileStat.STATX_DIOALIGN) != 0) {
            return new Outcome(true, "statx answered STATX_DIOALIGN (mem " + stat.dioMemAlign() + ", offset "
                    + stat.dioOffsetAlign() + " on " + scratchDir + ")");
        }
        for (Path dir : new Path[] {Path.of("").toAbsolutePath(), Path.of("/var/tmp")}) {
            try {
                FileStat s = FileStat.ofPath(dir);
                if ((s.mask() & FileStat.STATX_DIOALIGN) != 0) {
                    return new Outcome(true, "statx answered STATX_DIOALIGN on " + dir);
                }
            } catch (AioException e) {
                // next candidate
            }
        }
        boolean byVersion = atLeast(release, 6, 1);
        return new Outcome(byVersion, byVersion
                ? "no filesystem tried here reports it (" + scratchDir + " does not); Linux " + release
                        + " has STATX_DIOALIGN (6.1+)"
                : "statx ignored STATX_DIOALIGN: Linux " + release + " predates 6.1");
    }

    static boolean atLeast(String release, int major, int minor) {
        try {
            String[] v = release.split("[.-]");
            int maj = Integer.parseInt(v[0]);
            int min = Integer.parseInt(v[1]);
            return maj > major || (maj == major && min >= minor);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Outcome submitAndWait(Arena arena, long ctx, short opcode, int fd, long buf, long nbytes, int rwFlags)
            throws AioException {
        Completion c = submitOne(arena, ctx, opcode, fd, buf, nbytes, rwFlags, 7, 5);
        if (c.submitErrno() != 0) {
            return new Outcome(false, "io_submit: " + Errno.name(c.submitErrno()));
        }
        long res = c.res();
        return res >= 0 ? new Outcome(true, "completed with " + res) : new Outcome(false, "completed with -" + Errno.name((int) -res));
    }

    /**
     * What became of one probe request: refused by io_submit ({@code submitErrno > 0}), or completed
     * with the io_event's {@code data} and {@code res}.
     */
    record Completion(int submitErrno, long data, long res) {}

    /**
     * Submits one iocb on {@code ctx} and waits up to {@code timeoutSeconds} for its completion.
     *
     * @throws AioException if io_getevents fails or the request does not complete in time (ETIMEDOUT)
     */
    static Completion submitOne(Arena arena, long ctx, short opcode, int fd, long buf, long nbytes, int rwFlags,
            long tag, int timeoutSeconds) throws AioException {
        MemorySegment errno = Libc.errnoState(arena);
        MemorySegment iocb = arena.allocate(Iocbs.IOCB_SIZE, 8);
        MemorySegment ptr = arena.allocate(JAVA_LONG);
        MemorySegment event = arena.allocate(Iocbs.IO_EVENT_SIZE, 8);
        long timeout = Syscalls.timeout(timespec.allocate(arena), timeoutSeconds * 1_000_000_000L);
        ptr.set(JAVA_LONG, 0, iocb.address());
        Iocbs.prepare(iocb, 0, opcode, fd, buf, nbytes, 0, tag, rwFlags, 0, 0, (short) 0);
        long ret = Syscalls.ioSubmit(errno, ctx, 1, ptr.address());
        if (ret != 1) {
            return new Completion(ret == 0 ? Errno.EAGAIN : (int) -ret, 0, 0);
        }
        long n = Syscalls.ioGetevents(errno, ctx, 1, 1, event.address(), timeout);
        if (n != 1) {
            throw new AioException(n < 0 ? (int) -n : Errno.ETIMEDOUT, "io_getevents", "kernel probe");
        }
        return new Completion(0, Iocbs.eventData(event, 0), Iocbs.eventRes(event, 0));
    }
}
