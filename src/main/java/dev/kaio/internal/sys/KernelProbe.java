package dev.kaio.internal.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.AioException;
import dev.kaio.Errno;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.timespec;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
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
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/kernel/osrelease"))) {
            return new String(in.readNBytes(256), StandardCharsets.US_ASCII).trim();
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
                Outcome nowait = submitAndWait(arena, ctx, Iocbs.CMD_PREAD, fd, buf.address(), 512, LinuxH.RWF_NOWAIT());
                if (!nowait.supported() && nowait.detail().contains("EAGAIN")) {
                    nowait = new Outcome(true, "EAGAIN: the data was not cached, as RWF_NOWAIT reports it");
                }
                FileStat stat = FileStat.of(fd, scratch.toString());
                Outcome dioalign = (stat.mask() & FileStat.STATX_DIOALIGN) != 0
                        ? new Outcome(true, "statx answered STATX_DIOALIGN (mem " + stat.dioMemAlign() + ", offset "
                                + stat.dioOffsetAlign() + " on " + scratchDir + ")")
                        : new Outcome(false, "statx ignored STATX_DIOALIGN (kernel older than 6.1)");
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

    private static Outcome submitAndWait(Arena arena, long ctx, short opcode, int fd, long buf, long nbytes, int rwFlags)
            throws AioException {
        MemorySegment errno = Libc.errnoState(arena);
        MemorySegment iocb = arena.allocate(Iocbs.IOCB_SIZE, 8);
        MemorySegment ptr = arena.allocate(JAVA_LONG);
        MemorySegment event = arena.allocate(Iocbs.IO_EVENT_SIZE, 8);
        MemorySegment timeout = timespec.allocate(arena);
        timespec.tv_sec(timeout, 5);
        ptr.set(JAVA_LONG, 0, iocb.address());
        Iocbs.prepare(iocb, 0, opcode, fd, buf, nbytes, 0, 7, rwFlags, 0, 0, (short) 0);
        long ret = Syscalls.ioSubmit(errno, ctx, 1, ptr.address());
        if (ret != 1) {
            int err = ret == 0 ? Errno.EAGAIN : (int) -ret;
            return new Outcome(false, "io_submit: " + Errno.name(err));
        }
        long n = Syscalls.ioGetevents(errno, ctx, 1, 1, event.address(), timeout.address());
        if (n != 1) {
            throw new AioException(n < 0 ? (int) -n : Errno.ETIMEDOUT, "io_getevents", "kernel probe");
        }
        long res = Iocbs.eventRes(event, 0);
        return res >= 0 ? new Outcome(true, "completed with " + res) : new Outcome(false, "completed with -" + Errno.name((int) -res));
    }
}
