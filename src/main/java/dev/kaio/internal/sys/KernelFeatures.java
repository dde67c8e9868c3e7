package dev.kaio.internal.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.AioException;
import dev.kaio.internal.linux.LinuxH;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What the running kernel's AIO implementation supports, probed once per JVM with real requests.
 */
public final class KernelFeatures {

    private KernelFeatures() {}

    private static final class PollHolder {
        static final boolean POLL = probePoll();
    }

    /**
     * True if {@code IOCB_CMD_POLL} works (Linux 4.18+): the probe polls a signalled eventfd for POLLIN
     * through a one-slot context and checks the completion.
     */
    public static boolean poll() {
        return PollHolder.POLL;
    }

    private static boolean probePoll() {
        long ctx;
        try {
            ctx = KernelContexts.setup(1);
        } catch (AioException e) {
            return false;
        }
        try (Arena arena = Arena.ofConfined(); EventFd efd = new EventFd(true)) {
            efd.signal(1);
            MemorySegment errno = Libc.errnoState(arena);
            MemorySegment iocb = arena.allocate(Iocbs.IOCB_SIZE, 8);
            MemorySegment ptr = arena.allocate(JAVA_LONG);
            MemorySegment event = arena.allocate(Iocbs.IO_EVENT_SIZE, 8);
            MemorySegment timeout = dev.kaio.internal.linux.timespec.allocate(arena);
            dev.kaio.internal.linux.timespec.tv_sec(timeout, 1);
            ptr.set(JAVA_LONG, 0, iocb.address());
            Iocbs.prepare(iocb, 0, Iocbs.CMD_POLL, efd.fd(), LinuxH.POLLIN(), 0, 0, 42, 0, 0, 0, (short) 0);
            if (Syscalls.ioSubmit(errno, ctx, 1, ptr.address()) != 1) {
                return false;
            }
            long n = Syscalls.ioGetevents(errno, ctx, 1, 1, event.address(), timeout.address());
            return n == 1 && Iocbs.eventData(event, 0) == 42 && (Iocbs.eventRes(event, 0) & LinuxH.POLLIN()) != 0;
        } catch (AioException e) {
            return false;
        } finally {
            try {
                KernelContexts.destroy(ctx);
            } catch (AioException ignored) {
                // a probe context that cannot be destroyed has nothing in flight either
            }
        }
    }
}
