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

import dev.kaio.AioException;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.statx;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What {@code statx(fd, "", AT_EMPTY_PATH, ...)} says about an open file, plus the block-device
 * ioctls.
 *
 * @param mask          the STATX_* bits the kernel filled in
 * @param mode          st_mode (type and permissions)
 * @param size          st_size
 * @param blockSize     st_blksize (preferred I/O size)
 * @param devMajor      major number of the device holding the file
 * @param devMinor      minor number of the device holding the file
 * @param rdevMajor     for a device node: its major number
 * @param rdevMinor     for a device node: its minor number
 * @param dioMemAlign   STATX_DIOALIGN memory alignment, 0 if unknown or O_DIRECT unsupported
 * @param dioOffsetAlign STATX_DIOALIGN offset alignment, 0 if unknown or O_DIRECT unsupported
 * @param inode         st_ino
 */
public record FileStat(int mask, int mode, long size, int blockSize, int devMajor, int devMinor, int rdevMajor,
        int rdevMinor, int dioMemAlign, int dioOffsetAlign, long inode) {

    private static final int S_IFMT = LinuxH.S_IFMT();
    private static final int S_IFREG = LinuxH.S_IFREG();
    private static final int S_IFDIR = LinuxH.S_IFDIR();
    private static final int S_IFBLK = LinuxH.S_IFBLK();
    public static final int STATX_DIOALIGN = LinuxH.STATX_DIOALIGN();
    private static final long BLKSSZGET = LinuxH.BLKSSZGET();
    private static final long BLKPBSZGET = LinuxH.BLKPBSZGET();
    private static final long BLKGETSIZE64 = LinuxH.BLKGETSIZE64();

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isBlockDevice() {
        return (mode & S_IFMT) == S_IFBLK;
    }

    /** True if the kernel answered STATX_DIOALIGN with non-zero values (O_DIRECT supported). */
    public boolean hasDioAlign() {
        return (mask & STATX_DIOALIGN) != 0 && dioMemAlign > 0 && dioOffsetAlign > 0;
    }

    /** statx of an open file descriptor, asking for the basic fields and STATX_DIOALIGN. */
    public static FileStat of(int fd, String what) throws AioException {
        return query(fd, "", LinuxH.AT_EMPTY_PATH(), what);
    }

    /** statx of a path (following symlinks), for files kaio does not open. */
    public static FileStat ofPath(java.nio.file.Path path) throws AioException {
        return query(LinuxH.AT_FDCWD(), path.toString(), 0, path.toString());
    }

    private static FileStat query(int dirFd, String path, int flags, String what) throws AioException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            MemorySegment buf = statx.allocate(arena);
            int ret = Libc.statx(errno, dirFd, arena.allocateFrom(path), flags,
                    LinuxH.STATX_BASIC_STATS() | STATX_DIOALIGN, buf);
            if (ret < 0) {
                throw new AioException(-ret, "statx", what);
            }
            return new FileStat(statx.stx_mask(buf), Short.toUnsignedInt(statx.stx_mode(buf)), statx.stx_size(buf),
                    statx.stx_blksize(buf), statx.stx_dev_major(buf), statx.stx_dev_minor(buf),
                    statx.stx_rdev_major(buf), statx.stx_rdev_minor(buf), statx.stx_dio_mem_align(buf),
                    statx.stx_dio_offset_align(buf), statx.stx_ino(buf));
        }
    }

    /** ioctl(BLKSSZGET): the logical block size of a block device. */
    public static int logicalBlockSize(int fd, String what) throws AioException {
        return (int) blockIoctl(fd, BLKSSZGET, "ioctl(BLKSSZGET)", what, false);
    }

    /** ioctl(BLKPBSZGET): the physical block size of a block device. */
    public static int physicalBlockSize(int fd, String what) throws AioException {
        return (int) blockIoctl(fd, BLKPBSZGET, "ioctl(BLKPBSZGET)", what, false);
    }

    /** ioctl(BLKGETSIZE64): the size of a block device in bytes. */
    public static long blockDeviceSize(int fd, String what) throws AioException {
        return blockIoctl(fd, BLKGETSIZE64, "ioctl(BLKGETSIZE64)", what, true);
    }

    private static long blockIoctl(int fd, long request, String op, String what, boolean u64) throws AioException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            int ret = Libc.ioctl(errno, fd, request, out);
            if (ret < 0) {
                throw new AioException(-ret, op, what);
            }
            return u64 ? out.get(ValueLayout.JAVA_LONG, 0) : out.get(ValueLayout.JAVA_INT, 0);
        }
    }
}
