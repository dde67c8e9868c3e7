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
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Self-test of the NFS guest: Linux AIO (io_setup/io_submit/io_getevents, raw syscalls through the
 * FFM API) with O_DIRECT on each directory given.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED AioSmoke write  DIR...   # write 2 x 4 KiB, read back, compare
 *   java --enable-native-access=ALL-UNNAMED AioSmoke verify DIR...   # read back (after a remount), compare
 * </pre>
 */
public final class AioSmoke {
    static final long SYS_CLOSE = 3, SYS_FSYNC = 74, SYS_IO_SETUP = 206, SYS_IO_DESTROY = 207,
            SYS_IO_GETEVENTS = 208, SYS_IO_SUBMIT = 209, SYS_OPENAT = 257, SYS_STATX = 332;
    static final long AT_FDCWD = -100;
    static final int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_TRUNC = 0x200, O_DIRECT = 0x4000;
    static final short IOCB_CMD_PREAD = 0, IOCB_CMD_PWRITE = 1;
    static final int STATX_BASIC_STATS = 0x7ff, STATX_DIOALIGN = 0x2000;
    static final int BLOCK = 4096;
    static final String FILE = "aio-smoke.bin";

    static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    static final MemorySegment STATE = Arena.global().allocate(CAPTURE);

    static long sys(String what, long nr, long a, long b, long c, long d, long e) throws IOException {
        long r;
        try {
            r = (long) SYSCALL.invokeExact(STATE, nr, a, b, c, d, e);
        } catch (Throwable t) {
            throw new IOException(what, t);
        }
        if (r == -1) {
            throw new IOException(what + " failed: errno " + (int) ERRNO.get(STATE, 0L));
        }
        return r;
    }

    static byte pattern(String dir, int i) {
        return (byte) (i * 31 + dir.hashCode() + (i / BLOCK) * 7);
    }

    static void fillIocb(MemorySegment iocb, long data, short op, int fd, MemorySegment buf, long n, long off) {
        iocb.fill((byte) 0);
        iocb.set(JAVA_LONG, 0, data);         // aio_data
        iocb.set(JAVA_SHORT, 16, op);         // aio_lio_opcode
        iocb.set(JAVA_INT, 20, fd);           // aio_fildes
        iocb.set(JAVA_LONG, 24, buf.address()); // aio_buf
        iocb.set(JAVA_LONG, 32, n);           // aio_nbytes
        iocb.set(JAVA_LONG, 40, off);         // aio_offset
    }

    /** Submits the iocbs in one io_submit and waits for all; returns the res of each, in order. */
    static long[] submitAndWait(Arena a, long ctx, MemorySegment... iocbs) throws IOException {
        MemorySegment ptrs = a.allocate(ADDRESS, iocbs.length);
        for (int i = 0; i < iocbs.length; i++) {
            ptrs.setAtIndex(ADDRESS, i, iocbs[i]);
        }
        long n = sys("io_submit", SYS_IO_SUBMIT, ctx, iocbs.length, ptrs.address(), 0, 0);
        if (n != iocbs.length) {
            throw new IOException("io_submit accepted " + n + " of " + iocbs.length);
        }
        MemorySegment events = a.allocate(32L * iocbs.length, 8);
        MemorySegment ts = a.allocate(16, 8);
        ts.set(JAVA_LONG, 0, 30); // 30 s
        long got = sys("io_getevents", SYS_IO_GETEVENTS, ctx, iocbs.length, iocbs.length, events.address(), ts.address());
        if (got != iocbs.length) {
            throw new IOException("io_getevents returned " + got + " of " + iocbs.length);
        }
        long[] res = new long[iocbs.length];
        for (int i = 0; i < got; i++) {
            long data = events.get(JAVA_LONG, 32L * i);       // io_event.data
            res[(int) data] = events.get(JAVA_LONG, 32L * i + 16); // io_event.res
        }
        return res;
    }

    static String statx(Arena a, String path) throws IOException {
        MemorySegment buf = a.allocate(256, 8);
        sys("statx " + path, SYS_STATX, AT_FDCWD, a.allocateFrom(path).address(), 0,
                STATX_BASIC_STATS | STATX_DIOALIGN, buf.address());
        int mask = buf.get(JAVA_INT, 0);
        String dio = (mask & STATX_DIOALIGN) != 0
                ? "dio_mem_align=" + buf.get(JAVA_INT, 152) + " dio_offset_align=" + buf.get(JAVA_INT, 156)
                : "STATX_DIOALIGN not reported";
        return "blksize=" + buf.get(JAVA_INT, 4) + " size=" + buf.get(JAVA_LONG, 40) + " " + dio;
    }

    static boolean check(String dir, MemorySegment buf, int n) {
        for (int i = 0; i < n; i++) {
            if (buf.get(JAVA_BYTE, i) != pattern(dir, i)) {
                System.out.println("FAIL " + dir + ": byte " + i + " is " + buf.get(JAVA_BYTE, i)
                        + ", expected " + pattern(dir, i));
                return false;
            }
        }
        return true;
    }

    static boolean run(String mode, String dir) throws IOException {
        String path = dir + "/" + FILE;
        long t0 = System.nanoTime();
        try (Arena a = Arena.ofConfined()) {
            boolean write = mode.equals("write");
            int flags = (write ? O_RDWR | O_CREAT | O_TRUNC : O_RDONLY) | O_DIRECT;
            int fd = (int) sys("open " + path, SYS_OPENAT, AT_FDCWD, a.allocateFrom(path).address(), flags, 0644, 0);
            MemorySegment ctxp = a.allocate(JAVA_LONG);
            sys("io_setup", SYS_IO_SETUP, 8, ctxp.address(), 0, 0, 0);
            long ctx = ctxp.get(JAVA_LONG, 0);
            try {
                if (write) {
                    MemorySegment wbuf = a.allocate(2 * BLOCK, BLOCK);
                    for (int i = 0; i < 2 * BLOCK; i++) {
                        wbuf.set(JAVA_BYTE, i, pattern(dir, i));
                    }
                    MemorySegment w0 = a.allocate(64, 8), w1 = a.allocate(64, 8);
                    fillIocb(w0, 0, IOCB_CMD_PWRITE, fd, wbuf.asSlice(0, BLOCK), BLOCK, 0);
                    fillIocb(w1, 1, IOCB_CMD_PWRITE, fd, wbuf.asSlice(BLOCK, BLOCK), BLOCK, BLOCK);
                    long[] res = submitAndWait(a, ctx, w0, w1);
                    if (res[0] != BLOCK || res[1] != BLOCK) {
                        System.out.println("FAIL " + dir + ": PWRITE results " + res[0] + ", " + res[1]);
                        return false;
                    }
                    sys("fsync", SYS_FSYNC, fd, 0, 0, 0, 0);
                }
                MemorySegment rbuf = a.allocate(2 * BLOCK, BLOCK);
                MemorySegment r0 = a.allocate(64, 8);
                fillIocb(r0, 0, IOCB_CMD_PREAD, fd, rbuf, 2 * BLOCK, 0);
                long[] res = submitAndWait(a, ctx, r0);
                if (res[0] != 2 * BLOCK) {
                    System.out.println("FAIL " + dir + ": PREAD result " + res[0]);
                    return false;
                }
                if (!check(dir, rbuf, 2 * BLOCK)) {
                    return false;
                }
                System.out.printf("OK   %s %s: O_DIRECT AIO %s 8192 bytes verified (%.1f ms); statx: %s%n", mode, dir,
                        write ? "PWRITE 2x4096 + PREAD" : "PREAD", (System.nanoTime() - t0) / 1e6, statx(a, path));
                if (write) {
                    // informative: an unaligned O_DIRECT AIO write (buffer address and offset odd)
                    MemorySegment ubuf = a.allocate(2 * BLOCK, BLOCK).asSlice(1, 100);
                    MemorySegment u = a.allocate(64, 8);
                    fillIocb(u, 0, IOCB_CMD_PWRITE, fd, ubuf, 100, 3 * BLOCK + 1);
                    long ur = submitAndWait(a, ctx, u)[0];
                    System.out.println("INFO " + dir + ": unaligned O_DIRECT AIO PWRITE (buf+1, 100 bytes, offset 12289) -> "
                            + (ur >= 0 ? "res " + ur : "errno " + -ur));
                }
            } finally {
                sys("io_destroy", SYS_IO_DESTROY, ctx, 0, 0, 0, 0);
                sys("close", SYS_CLOSE, fd, 0, 0, 0, 0);
            }
        }
        if (mode.equals("write")) {
            long l0 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(Path.of(dir, "lock-test"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
                System.out.printf("INFO %s: fcntl lock acquired in %.1f ms%n", dir, (System.nanoTime() - l0) / 1e6);
            }
        }
        return true;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("write") || args[0].equals("verify") || args[0].equals("statx"))) {
            System.err.println("usage: AioSmoke write|verify|statx DIR...");
            System.exit(2);
        }
        boolean ok = true;
        for (int i = 1; i < args.length; i++) {
            if (args[0].equals("statx")) {
                try (Arena a = Arena.ofConfined()) {
                    System.out.println("INFO statx " + args[i] + ": " + statx(a, args[i]));
                }
                continue;
            }
            try {
                ok &= run(args[0], args[i]);
            } catch (IOException e) {
                System.out.println("FAIL " + args[i] + ": " + e.getMessage());
                ok = false;
            }
        }
        System.exit(ok ? 0 : 1);
    }
}
