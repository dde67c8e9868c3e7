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
package dev.kaio.engine;

import dev.kaio.AioException;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectIoAlignment;
import dev.kaio.Errno;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.sys.ArchConstants;
import dev.kaio.internal.sys.FileStat;
import dev.kaio.internal.sys.KernelFiles;
import dev.kaio.internal.sys.Libc;
import dev.kaio.internal.sys.NativeAccess;
import dev.kaio.internal.sys.NativeResources;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file or block device opened with {@code open(2)}, owning its file descriptor: what the
 * low-level {@link AioQueue} submits requests against, and what {@link dev.kaio.AioFile} wraps.
 *
 * {@snippet :
 * try (RawFile file = RawFile.open(Path.of("/dev/nvme0n1"), StandardOpenOption.READ, AioOpenOption.DIRECT)) {
 *     int fd = file.fd();               // for AioQueue.prepareRead(fd, ...)
 *     int align = file.alignment();     // 512 or 4096 for most devices
 * }
 * }
 *
 * <p>Options: {@link StandardOpenOption} {@code READ, WRITE, APPEND, CREATE, CREATE_NEW,
 * TRUNCATE_EXISTING, DELETE_ON_CLOSE, SPARSE, SYNC, DSYNC}, {@link LinkOption#NOFOLLOW_LINKS},
 * {@link AioOpenOption} and {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}. With neither READ
 * nor WRITE the file is opened for reading, as {@code FileChannel.open} does. Directories are
 * refused with EISDIR. Thread-safe; {@link #close()} is idempotent.
 */
public final class RawFile implements AutoCloseable {

    static {
        NativeAccess.init(); // before any use of the generated bindings: see NativeAccess
    }

    /** The alignment assumed for O_DIRECT when the kernel cannot tell (see {@link #alignmentInfo()}). */
    public static final int FALLBACK_ALIGNMENT = 4096;

    private final Path path;
    private final int fd;
    private final boolean readable;
    private final boolean writable;
    private final boolean direct;
    private final boolean blockDevice;
    private final boolean deleteOnClose;
    private final DirectIoAlignment alignment;
    private final String fileKey;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RawFile(Path path, int fd, boolean readable, boolean writable, boolean direct, boolean blockDevice,
            boolean deleteOnClose, DirectIoAlignment alignment, String fileKey) {
        this.path = path;
        this.fd = fd;
        this.readable = readable;
        this.writable = writable;
        this.direct = direct;
        this.blockDevice = blockDevice;
        this.deleteOnClose = deleteOnClose;
        this.alignment = alignment;
        this.fileKey = fileKey;
    }

    /**
     * Identifies the file (device and inode), like {@code BasicFileAttributes.fileKey()}.
     *
     * @return a key equal for two opens of the same file
     */
    public String fileKey() {
        return fileKey;
    }

    /**
     * Opens {@code path}. Options: {@link java.nio.file.StandardOpenOption} READ, WRITE, APPEND, CREATE,
     * CREATE_NEW, TRUNCATE_EXISTING, DELETE_ON_CLOSE, SPARSE, DSYNC, SYNC,
     * {@link java.nio.file.LinkOption#NOFOLLOW_LINKS} and {@link dev.kaio.AioOpenOption}. Without READ
     * or WRITE the file is opened for reading.
     *
     * @param path    the file or block device
     * @param options how to open it
     * @return the open file
     * @throws NoSuchFileException        ENOENT
     * @throws FileAlreadyExistsException EEXIST (CREATE_NEW)
     * @throws AccessDeniedException      EACCES, EPERM
     * @throws AioException               any other errno, e.g. EINVAL when the filesystem refuses
     *                                    O_DIRECT, or EISDIR for a directory
     * @throws UnsupportedOperationException for an unknown option, or when native access is off
     * @throws IllegalArgumentException   for an invalid combination (APPEND with READ or TRUNCATE_EXISTING)
     * @throws IOException                for any other failure to open
     */
    public static RawFile open(Path path, OpenOption... options) throws IOException {
        return open(path, 0666, options);
    }

    /**
     * Like {@link #open(Path, OpenOption...)}, creating a missing file with permission bits
     * {@code mode} (before the umask), e.g. {@code 0600}.
     *
     * @param path    the file or block device
     * @param mode    permission bits (at most {@code 07777}) of a file that CREATE or CREATE_NEW creates
     * @param options how to open it
     * @return the open file
     * @throws IOException as {@link #open(Path, OpenOption...)}
     */
    public static RawFile open(Path path, int mode, OpenOption... options) throws IOException {
        Objects.requireNonNull(path, "path");
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode must be permission bits (07777): 0" + Integer.toOctalString(mode));
        }
        Objects.requireNonNull(options, "options");
        NativeAccess.ensureEnabled();
        boolean read = false, write = false, append = false, create = false, createNew = false, truncate = false;
        boolean dsync = false, sync = false, direct = false, noatime = false, nofollow = false, deleteOnClose = false;
        for (OpenOption option : options) {
            Objects.requireNonNull(option, "option");
            if (option == StandardOpenOption.READ) {
                read = true;
            } else if (option == StandardOpenOption.WRITE) {
                write = true;
            } else if (option == StandardOpenOption.APPEND) {
                append = true;
                write = true;
            } else if (option == StandardOpenOption.CREATE) {
                create = true;
            } else if (option == StandardOpenOption.CREATE_NEW) {
                createNew = true;
            } else if (option == StandardOpenOption.TRUNCATE_EXISTING) {
                truncate = true;
            } else if (option == StandardOpenOption.DSYNC) {
                dsync = true;
            } else if (option == StandardOpenOption.SYNC) {
                sync = true;
            } else if (option == StandardOpenOption.DELETE_ON_CLOSE) {
                deleteOnClose = true;
            } else if (option == StandardOpenOption.SPARSE) {
                // a hint; Linux files are sparse by default
            } else if (option == LinkOption.NOFOLLOW_LINKS) {
                nofollow = true;
            } else if (option == AioOpenOption.DIRECT || isExtendedDirect(option)) {
                direct = true;
            } else if (option == AioOpenOption.NOATIME) {
                noatime = true;
            } else {
                throw new UnsupportedOperationException("unsupported open option: " + option);
            }
        }
        if (!read && !write) {
            read = true;
        }
        if (append && read) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (append && truncate) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        int flags = LinuxH.O_CLOEXEC();
        flags |= read && write ? LinuxH.O_RDWR() : write ? LinuxH.O_WRONLY() : LinuxH.O_RDONLY();
        if (write) {
            // as in the JDK, CREATE/CREATE_NEW/TRUNCATE_EXISTING only apply to a file opened for writing
            if (createNew) {
                flags |= LinuxH.O_CREAT() | LinuxH.O_EXCL();
            } else if (create) {
                flags |= LinuxH.O_CREAT();
            }
            if (truncate) {
                flags |= LinuxH.O_TRUNC();
            }
        }
        if (append) {
            flags |= LinuxH.O_APPEND();
        }
        if (dsync) {
            flags |= LinuxH.O_DSYNC();
        }
        if (sync) {
            flags |= LinuxH.O_SYNC();
        }
        if (direct) {
            flags |= ArchConstants.O_DIRECT;
        }
        if (noatime) {
            flags |= LinuxH.O_NOATIME();
        }
        if (nofollow || createNew) {
            flags |= ArchConstants.O_NOFOLLOW;
        }

        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            fd = Libc.open(errno, arena.allocateFrom(path.toString()), flags, mode);
        }
        if (fd < 0) {
            throw openFailure(path, -fd, direct);
        }
        NativeResources.descriptorOpened();
        try {
            String what = path.toString();
            FileStat stat = FileStat.of(fd, what);
            if (stat.isDirectory()) {
                throw new AioException(Errno.EISDIR, "open", what + " is a directory");
            }
            DirectIoAlignment alignment = direct ? directAlignment(fd, stat, what) : new DirectIoAlignment(1, 1, "buffered");
            return new RawFile(path, fd, read, write, direct, stat.isBlockDevice(), deleteOnClose, alignment,
                    stat.devMajor() + ":" + stat.devMinor() + ":" + stat.inode());
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    private static boolean isExtendedDirect(OpenOption option) {
        // com.sun.nio.file.ExtendedOpenOption lives in jdk.unsupported; match it without depending on it.
        return option instanceof Enum<?> e && e.name().equals("DIRECT")
                && e.getDeclaringClass().getName().equals("com.sun.nio.file.ExtendedOpenOption");
    }

    private static IOException openFailure(Path path, int errno, boolean direct) {
        String reason = Errno.name(errno) + " (" + Errno.description(errno) + ")";
        if (errno == Errno.ENOENT) {
            return new NoSuchFileException(path.toString(), null, reason);
        }
        if (errno == Errno.EEXIST) {
            return new FileAlreadyExistsException(path.toString(), null, reason);
        }
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            return new AccessDeniedException(path.toString(), null, reason);
        }
        if (errno == Errno.EINVAL && direct) {
            return new AioException(errno, "open", path + ": the filesystem does not support O_DIRECT");
        }
        if (errno == Errno.EISDIR) {
            return new AioException(errno, "open", path + " is a directory");
        }
        return new AioException(errno, "open", path.toString());
    }

    /**
     * The O_DIRECT alignment of an open file, from the kernel when it can say:
     * statx(STATX_DIOALIGN) (Linux 6.1+ for files on ext4/xfs/f2fs/btrfs, 6.11+ for block devices),
     * then ioctl(BLKSSZGET) for a block device, then the logical block size sysfs gives for the
     * device under the file, then {@value #FALLBACK_ALIGNMENT}.
     */
    static DirectIoAlignment directAlignment(int fd, FileStat stat, String what) throws AioException {
        if (stat.hasDioAlign()) {
            return new DirectIoAlignment(stat.dioMemAlign(), stat.dioOffsetAlign(), "statx(STATX_DIOALIGN)");
        }
        if (stat.isBlockDevice()) {
            int lbs = FileStat.logicalBlockSize(fd, what);
            return new DirectIoAlignment(lbs, lbs, "ioctl(BLKSSZGET)");
        }
        int lbs = KernelFiles.blockQueueInt(stat.devMajor(), stat.devMinor(), "logical_block_size");
        if (lbs > 0) {
            return new DirectIoAlignment(lbs, lbs,
                    "sysfs logical_block_size of device " + stat.devMajor() + ":" + stat.devMinor());
        }
        return new DirectIoAlignment(FALLBACK_ALIGNMENT, FALLBACK_ALIGNMENT, "fallback");
    }

    /**
     * The file descriptor, for {@link AioQueue}'s prepare methods.
     *
     * @return the descriptor, valid until {@link #close()}
     */
    public int fd() {
        return fd;
    }

    /**
     * The path the file was opened with.
     *
     * @return the path given to {@code open}
     */
    public Path path() {
        return path;
    }

    /**
     * Whether the file was opened for reading.
     *
     * @return true if reads are allowed
     */
    public boolean isReadable() {
        return readable;
    }

    /**
     * Whether the file was opened for writing.
     *
     * @return true if writes are allowed
     */
    public boolean isWritable() {
        return writable;
    }

    /**
     * Whether the file was opened with O_DIRECT.
     *
     * @return true if opened with {@link dev.kaio.AioOpenOption#DIRECT}
     */
    public boolean isDirect() {
        return direct;
    }

    /**
     * Whether the path is a block device.
     *
     * @return true for a block device, false for a regular file
     */
    public boolean isBlockDevice() {
        return blockDevice;
    }

    /**
     * The alignment O_DIRECT requires of buffer addresses, lengths and positions (the larger of the
     * memory and offset alignments); 1 when the file was not opened with O_DIRECT.
     *
     * @return the alignment in bytes
     */
    public int alignment() {
        return alignment.combined();
    }

    /**
     * The memory and offset alignments separately, and where they came from.
     *
     * @return what O_DIRECT requires of this file's requests
     */
    public DirectIoAlignment alignmentInfo() {
        return alignment;
    }

    /**
     * The size in bytes: st_size for a file, ioctl(BLKGETSIZE64) for a block device.
     *
     * @return the size in bytes
     * @throws java.nio.channels.ClosedChannelException if the file is closed
     * @throws IOException if the kernel cannot tell
     */
    public long size() throws IOException {
        ensureOpen();
        if (blockDevice) {
            return FileStat.blockDeviceSize(fd, path.toString());
        }
        return FileStat.of(fd, path.toString()).size();
    }

    /**
     * Sets the size with ftruncate(2).
     *
     * @param size the new size in bytes
     * @throws java.nio.channels.ClosedChannelException if the file is closed
     * @throws AioException if ftruncate fails (e.g. EINVAL for a file not open for writing)
     * @throws IOException  for another I/O failure
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public void truncate(long size) throws IOException {
        ensureOpen();
        if (size < 0) {
            throw new IllegalArgumentException("negative size: " + size);
        }
        try (Arena arena = Arena.ofConfined()) {
            int ret = Libc.ftruncate(Libc.errnoState(arena), fd, size);
            if (ret < 0) {
                throw new AioException(-ret, "ftruncate", path + " to " + size + " bytes");
            }
        }
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    void ensureOpen() throws ClosedChannelException {
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Closes the file descriptor (once). Requests already submitted keep the kernel's reference to the
     * file and complete normally; requests prepared but not yet submitted will fail with EBADF, or
     * reach another file if the descriptor number is reused: submit or discard them first.
     */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            int ret;
            try (Arena arena = Arena.ofConfined()) {
                ret = Libc.close(Libc.errnoState(arena), fd);
            }
            NativeResources.descriptorClosed();
            if (deleteOnClose) {
                Files.deleteIfExists(path);
            }
            if (ret < 0 && -ret != Errno.EINTR) { // after EINTR the descriptor is closed anyway on Linux
                throw new AioException(-ret, "close", path.toString());
            }
        }
    }

    private static void closeQuietly(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            Libc.close(Libc.errnoState(arena), fd);
        }
        NativeResources.descriptorClosed();
    }

    @Override
    public String toString() {
        return "RawFile[" + path + ", fd=" + fd + (direct ? ", O_DIRECT, alignment=" + alignment() : "")
                + (closed.get() ? ", closed" : "") + "]";
    }
}
