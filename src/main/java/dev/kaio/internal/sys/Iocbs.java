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

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.io_event;
import dev.kaio.internal.linux.iocb;
import dev.kaio.internal.linux.iovec;
import java.lang.foreign.MemorySegment;

/**
 * Writes {@code struct iocb} and {@code struct iovec} and reads {@code struct io_event} at offsets of
 * a preallocated segment, using the offsets of the generated layouts (constant-folded by the JIT).
 * The kernel copies an iocb and its iovec array during io_submit, so both may be reused as soon as
 * io_submit returns; only the data buffers must live until the request completes.
 */
public final class Iocbs {

    public static final long IOCB_SIZE = iocb.sizeof();
    public static final long IO_EVENT_SIZE = io_event.sizeof();
    public static final long IOVEC_SIZE = iovec.sizeof();
    /** The most segments one vectored request may have (IOV_MAX, UIO_MAXIOV in the kernel). */
    public static final int IOV_MAX = LinuxH.IOV_MAX();

    private static final long DATA = iocb.aio_data$offset();
    private static final long KEY = iocb.aio_key$offset();
    private static final long RW_FLAGS = iocb.aio_rw_flags$offset();
    private static final long OPCODE = iocb.aio_lio_opcode$offset();
    private static final long REQPRIO = iocb.aio_reqprio$offset();
    private static final long FILDES = iocb.aio_fildes$offset();
    private static final long BUF = iocb.aio_buf$offset();
    private static final long NBYTES = iocb.aio_nbytes$offset();
    private static final long OFFSET = iocb.aio_offset$offset();
    private static final long RESERVED2 = iocb.aio_reserved2$offset();
    private static final long FLAGS = iocb.aio_flags$offset();
    private static final long RESFD = iocb.aio_resfd$offset();

    private static final long EV_DATA = io_event.data$offset();
    private static final long EV_OBJ = io_event.obj$offset();
    private static final long EV_RES = io_event.res$offset();
    private static final long EV_RES2 = io_event.res2$offset();

    private static final long IOV_BASE = iovec.iov_base$offset();
    private static final long IOV_LEN = iovec.iov_len$offset();

    public static final short CMD_PREAD = (short) LinuxH.IOCB_CMD_PREAD();
    public static final short CMD_PWRITE = (short) LinuxH.IOCB_CMD_PWRITE();
    public static final short CMD_FSYNC = (short) LinuxH.IOCB_CMD_FSYNC();
    public static final short CMD_FDSYNC = (short) LinuxH.IOCB_CMD_FDSYNC();
    public static final short CMD_POLL = (short) LinuxH.IOCB_CMD_POLL();
    public static final short CMD_PREADV = (short) LinuxH.IOCB_CMD_PREADV();
    public static final short CMD_PWRITEV = (short) LinuxH.IOCB_CMD_PWRITEV();

    public static final int FLAG_RESFD = LinuxH.IOCB_FLAG_RESFD();
    public static final int FLAG_IOPRIO = LinuxH.IOCB_FLAG_IOPRIO();

    private Iocbs() {}

    /**
     * Fills the iocb at {@code base + offset}. For vectored commands {@code buf} is the address of the
     * iovec array and {@code nbytes} the number of iovecs.
     */
    public static void prepare(MemorySegment base, long offset, short opcode, int fd, long buf, long nbytes,
            long position, long data, int rwFlags, int flags, int resfd, short reqprio) {
        base.set(JAVA_LONG_UNALIGNED, offset + DATA, data);
        base.set(JAVA_INT_UNALIGNED, offset + KEY, 0);
        base.set(JAVA_INT_UNALIGNED, offset + RW_FLAGS, rwFlags);
        base.set(JAVA_SHORT_UNALIGNED, offset + OPCODE, opcode);
        base.set(JAVA_SHORT_UNALIGNED, offset + REQPRIO, reqprio);
        base.set(JAVA_INT_UNALIGNED, offset + FILDES, fd);
        base.set(JAVA_LONG_UNALIGNED, offset + BUF, buf);
        base.set(JAVA_LONG_UNALIGNED, offset + NBYTES, nbytes);
        base.set(JAVA_LONG_UNALIGNED, offset + OFFSET, position);
        base.set(JAVA_LONG_UNALIGNED, offset + RESERVED2, 0L);
        base.set(JAVA_INT_UNALIGNED, offset + FLAGS, flags);
        base.set(JAVA_INT_UNALIGNED, offset + RESFD, resfd);
    }

    /** The aio_data of the iocb at {@code base + offset}. */
    public static long data(MemorySegment base, long offset) {
        return base.get(JAVA_LONG_UNALIGNED, offset + DATA);
    }

    /** Writes one {@code struct iovec} at {@code base + offset}. */
    public static void iovec(MemorySegment base, long offset, long address, long length) {
        base.set(JAVA_LONG_UNALIGNED, offset + IOV_BASE, address);
        base.set(JAVA_LONG_UNALIGNED, offset + IOV_LEN, length);
    }

    public static long eventData(MemorySegment events, long offset) {
        return events.get(JAVA_LONG_UNALIGNED, offset + EV_DATA);
    }

    public static long eventRes(MemorySegment events, long offset) {
        return events.get(JAVA_LONG_UNALIGNED, offset + EV_RES);
    }

    /** Writes an io_event (used to report requests the kernel refused at submission as completions). */
    public static void setEvent(MemorySegment events, long offset, long data, long obj, long res, long res2) {
        events.set(JAVA_LONG_UNALIGNED, offset + EV_DATA, data);
        events.set(JAVA_LONG_UNALIGNED, offset + EV_OBJ, obj);
        events.set(JAVA_LONG_UNALIGNED, offset + EV_RES, res);
        events.set(JAVA_LONG_UNALIGNED, offset + EV_RES2, res2);
    }
}
