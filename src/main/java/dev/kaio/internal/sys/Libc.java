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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The glibc functions kaio needs besides the AIO system calls: opening and inspecting files, ioctls,
 * eventfd and errno names. Same conventions as {@link Syscalls}: linked once, {@code invokeExact},
 * errno captured into the caller's segment, results returned as {@code -errno} on failure.
 *
 * <p>These are not on the per-I/O hot path except {@link #write} to an eventfd ({@link #read} serves the tests).
 */
public final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();

    private static final MethodHandle OPEN = link("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle STATX = link("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), -1);
    private static final MethodHandle IOCTL_PTR = link("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle FTRUNCATE = link("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle EVENTFD = link("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle READ = link("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle WRITE = link("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), -1);
    // int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo_p, const sigset_t *sigmask)
    private static final MethodHandle PPOLL = link("ppoll",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle PIPE2 = link("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle FCNTL_PTR = link("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 2);
    // posix_fadvise returns the error number instead of setting errno.
    private static final MethodHandle POSIX_FADVISE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("posix_fadvise").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    // glibc >= 2.32; absent on older glibc and on musl, where Errno falls back to its own table.
    private static final Optional<MemorySegment> STRERRORNAME_NP = LINKER.defaultLookup().find("strerrorname_np");
    private static final Optional<MemorySegment> STRERRORDESC_NP = LINKER.defaultLookup().find("strerrordesc_np");
    private static final MethodHandle STRING_OF_INT = LINKER.downcallHandle(FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {}

    private static MethodHandle link(String name, FunctionDescriptor descriptor, int firstVariadic) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return firstVariadic < 0
                ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(symbol, descriptor, Linker.Option.firstVariadicArg(firstVariadic),
                        Linker.Option.captureCallState("errno"));
    }

    private static long result(long ret, MemorySegment errnoState) {
        return ret < 0 ? -Syscalls.errno(errnoState) : ret;
    }

    /** Allocates an errno capture segment in {@code arena}. */
    public static MemorySegment errnoState(Arena arena) {
        return arena.allocate(Syscalls.ERRNO_STATE_LAYOUT);
    }

    public static int open(MemorySegment errnoState, MemorySegment path, int flags, int mode) {
        try {
            return (int) result((int) OPEN.invokeExact(errnoState, path, flags, mode), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    public static int close(MemorySegment errnoState, int fd) {
        try {
            return (int) result((int) CLOSE.invokeExact(errnoState, fd), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    public static int statx(MemorySegment errnoState, int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        try {
            return (int) result((int) STATX.invokeExact(errnoState, dirfd, path, flags, mask, buf), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    public static int ioctl(MemorySegment errnoState, int fd, long request, MemorySegment arg) {
        try {
            return (int) result((int) IOCTL_PTR.invokeExact(errnoState, fd, request, arg), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    public static int ftruncate(MemorySegment errnoState, int fd, long length) {
        try {
            return (int) result((int) FTRUNCATE.invokeExact(errnoState, fd, length), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    public static int eventfd(MemorySegment errnoState, int initval, int flags) {
        try {
            return (int) result((int) EVENTFD.invokeExact(errnoState, initval, flags), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    public static long read(MemorySegment errnoState, int fd, long address, long count) {
        try {
            return result((long) READ.invokeExact(errnoState, fd, address, count), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    public static long write(MemorySegment errnoState, int fd, long address, long count) {
        try {
            return result((long) WRITE.invokeExact(errnoState, fd, address, count), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    /**
     * {@code ppoll(fds, nfds, timeout, NULL)} with raw addresses: {@code timeout} is a {@code struct
     * timespec} address, or 0 to wait without limit. Returns the number of ready descriptors, 0 on
     * timeout, or {@code -errno}.
     */
    public static int ppoll(MemorySegment errnoState, long fds, long nfds, long timeout) {
        try {
            return (int) result((int) PPOLL.invokeExact(errnoState, fds, nfds, timeout, 0L), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    /** {@code pipe2(fds, flags)}: {@code fds} receives two ints, read end then write end. */
    public static int pipe2(MemorySegment errnoState, MemorySegment fds, int flags) {
        try {
            return (int) result((int) PIPE2.invokeExact(errnoState, fds, flags), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    /** {@code fcntl(fd, cmd, struct flock *)} for the F_OFD_* lock commands. */
    public static int fcntlLock(MemorySegment errnoState, int fd, int cmd, MemorySegment flock) {
        try {
            return (int) result((int) FCNTL_PTR.invokeExact(errnoState, fd, cmd, flock), errnoState);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    /** {@code posix_fadvise}: returns 0 or {@code -errno} (it reports its error as the return value). */
    public static int posixFadvise(int fd, long offset, long length, int advice) {
        try {
            return -(int) POSIX_FADVISE.invokeExact(fd, offset, length, advice);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }

    /** The symbolic name of an errno value ("EINVAL"), or null when glibc cannot say. */
    public static String strerrorname(int errno) {
        return callStringOfInt(STRERRORNAME_NP, errno);
    }

    /** The description of an errno value ("Invalid argument"), or null when glibc cannot say. */
    public static String strerrordesc(int errno) {
        return callStringOfInt(STRERRORDESC_NP, errno);
    }

    private static String callStringOfInt(Optional<MemorySegment> function, int value) {
        if (function.isEmpty()) {
            return null;
        }
        try {
            MemorySegment s = (MemorySegment) STRING_OF_INT.invokeExact(function.get(), value);
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw Syscalls.linkageFailure(t);
        }
    }
}
