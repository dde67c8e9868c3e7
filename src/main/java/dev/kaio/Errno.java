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

import dev.kaio.internal.sys.Libc;
import dev.kaio.internal.sys.NativeAccess;
import java.util.HashMap;
import java.util.Map;

/**
 * Linux errno values that kaio's operations report, and their names.
 *
 * <p>The low-level {@link dev.kaio.engine.AioQueue} reports a failed request as a negative result,
 * {@code -errno} (the kernel's convention), which can be compared with these constants without
 * allocating: {@code if (result == -Errno.EAGAIN) ...}. The values are Linux's (asm-generic/errno.h),
 * checked against the generated bindings and the C compiler by the tests.
 */
public final class Errno {

    static {
        NativeAccess.init(); // before any use of the generated bindings: see NativeAccess
    }

    // Literal values, equal to the generated LinuxH constants (ErrnoTest checks each one, and LayoutTest
    // checks those against gcc): so that Errno and AioException can be used, and describe an error,
    // without initialising the generated bindings (see NativeAccess).
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Input/output error. */
    public static final int EIO = 5;
    /** No such device or address. */
    public static final int ENXIO = 6;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** Resource temporarily unavailable (also EWOULDBLOCK). */
    public static final int EAGAIN = 11;
    /** Cannot allocate memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Bad address. */
    public static final int EFAULT = 14;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** File exists. */
    public static final int EEXIST = 17;
    /** No such device. */
    public static final int ENODEV = 19;
    /** Not a directory. */
    public static final int ENOTDIR = 20;
    /** Is a directory. */
    public static final int EISDIR = 21;
    /** Invalid argument (for O_DIRECT: a misaligned position, length or buffer). */
    public static final int EINVAL = 22;
    /** Too many open files in system. */
    public static final int ENFILE = 23;
    /** Too many open files. */
    public static final int EMFILE = 24;
    /** Inappropriate ioctl for device. */
    public static final int ENOTTY = 25;
    /** File too large. */
    public static final int EFBIG = 27;
    /** No space left on device. */
    public static final int ENOSPC = 28;
    /** Illegal seek. */
    public static final int ESPIPE = 29;
    /** Read-only file system. */
    public static final int EROFS = 30;
    /** Function not implemented (a kernel without CONFIG_AIO, or a seccomp filter). */
    public static final int ENOSYS = 38;
    /** Operation not supported (e.g. a flag the filesystem refuses). */
    public static final int EOPNOTSUPP = 95;
    /** Operation canceled. */
    public static final int ECANCELED = 125;
    /** Operation now in progress. */
    public static final int EINPROGRESS = 115;
    /** Operation already in progress. */
    public static final int EALREADY = 114;
    /** Connection timed out. */
    public static final int ETIMEDOUT = 110;
    /** Disk quota exceeded. */
    public static final int EDQUOT = 122;
    /** Value too large for defined data type. */
    public static final int EOVERFLOW = 75;
    /** Block device required. */
    public static final int ENOTBLK = 15;
    /** Invalid cross-device link. */
    public static final int EXDEV = 18;
    /** No locks available. */
    public static final int ENOLCK = 37;

    // Names without a native call, so that an error can be described even where native access is off.
    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        String[] names = {"EPERM", "ENOENT", "EINTR", "EIO", "ENXIO", "EBADF", "EAGAIN", "ENOMEM", "EACCES", "EFAULT",
            "EBUSY", "EEXIST", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "EFBIG", "ENOSPC",
            "ESPIPE", "EROFS", "ENOSYS", "EOPNOTSUPP", "ECANCELED", "EINPROGRESS", "EALREADY", "ETIMEDOUT", "EDQUOT",
            "EOVERFLOW", "ENOTBLK", "EXDEV", "ENOLCK"};
        int[] values = {EPERM, ENOENT, EINTR, EIO, ENXIO, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, ENODEV,
            ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ENOTTY, EFBIG, ENOSPC, ESPIPE, EROFS, ENOSYS, EOPNOTSUPP,
            ECANCELED, EINPROGRESS, EALREADY, ETIMEDOUT, EDQUOT, EOVERFLOW, ENOTBLK, EXDEV, ENOLCK};
        for (int i = 0; i < names.length; i++) {
            NAMES.put(values[i], names[i]);
        }
    }

    private Errno() {}

    /**
     * The symbolic name of {@code errno}.
     *
     * @param errno a positive errno value
     * @return e.g. {@code "EINVAL"}; {@code "errno 123"} if unknown
     */
    public static String name(int errno) {
        String name = NAMES.get(errno);
        if (name == null && NativeAccess.canCall()) {
            name = Libc.strerrorname(errno);
        }
        return name != null ? name : "errno " + errno;
    }

    /**
     * The C library's description of {@code errno} (strerrordesc_np).
     *
     * @param errno a positive errno value
     * @return e.g. {@code "Invalid argument"}; {@code "error 22"} where native access is off
     */
    public static String description(int errno) {
        String desc = null;
        if (NativeAccess.canCall()) {
            desc = Libc.strerrordesc(errno);
        }
        return desc != null ? desc : "error " + errno;
    }
}
