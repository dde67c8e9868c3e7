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

import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.sys.ArchConstants;
import dev.kaio.internal.sys.Libc;
import dev.kaio.internal.sys.NativeAccess;
import dev.kaio.internal.sys.NativeResources;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What each way of syncing makes durable, and the one kaio offers for directories.
 *
 * <h2>What survives a crash or a power loss</h2>
 * A completed write is in the page cache (buffered) or in the device's volatile write cache
 * (O_DIRECT): neither survives a power loss. These requests make data durable; each is checked
 * against the device by kaio's tests (the block layer's flush counter, and a FUSE filesystem that
 * loses unsynced data on a simulated power loss):
 *
 * <table class="striped">
 * <caption>Durability of writes</caption>
 * <thead>
 * <tr><th>request</th><th>kaio</th><th>durable when it completes</th><th>covers</th><th>what the
 * device does</th></tr>
 * </thead>
 * <tbody>
 * <tr><td>IOCB_CMD_FDSYNC</td><td>{@link AioFile#fdatasync()}</td><td>the file's data and the metadata
 * needed to read it back (size, block allocation), not timestamps</td><td>the writes of this file
 * <em>that completed before the FDSYNC was submitted</em>; not writes still in flight</td><td>writes back
 * dirty pages, commits the journal if that metadata changed, then one cache flush</td></tr>
 * <tr><td>IOCB_CMD_FSYNC</td><td>{@link AioFile#fsync()}</td><td>the same plus all metadata
 * (timestamps, permissions)</td><td>as FDSYNC</td><td>as FDSYNC, and a journal commit for any metadata
 * change</td></tr>
 * <tr><td>RWF_DSYNC on a write</td><td>{@code write(buf, pos, IoOptions.of(RwFlag.DSYNC))}, also
 * {@code writev}</td><td>this write's data and the metadata needed to read it</td><td>this write's
 * range only</td><td>a FUA write where the device has FUA, else the write and then a cache flush (for
 * each write; flushes pending at the same moment are merged by the block layer)</td></tr>
 * <tr><td>RWF_SYNC on a write</td><td>{@link RwFlag#SYNC}</td><td>the same plus all metadata</td><td>this
 * write's range only</td><td>as RWF_DSYNC</td></tr>
 * <tr><td>O_DSYNC (O_SYNC)</td><td>{@link java.nio.file.StandardOpenOption#DSYNC} ({@code SYNC}) when
 * opening</td><td>as RWF_DSYNC (RWF_SYNC)</td><td>every write through that descriptor</td><td>as
 * RWF_DSYNC, for every write</td></tr>
 * <tr><td>fsync(2) of a directory</td><td>{@link #syncDirectory(Path)},
 * {@link #syncParentDirectory(Path)}</td><td>the directory's entries: names created, renamed or
 * removed in it</td><td>changes made before the call</td><td>as FSYNC, on the directory</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Where this comes from:
 * <ul>
 * <li>fsync(2): fsync "transfers ("flushes") all modified in-core data of ... the file ... to the disk
 * device ... This includes writing through or flushing a disk cache if present. The call blocks until
 * the device reports that the transfer has completed"; fdatasync "does not flush modified metadata
 * unless that metadata is needed in order to allow a subsequent data retrieval to be correctly
 * handled" (a size change is, an mtime change is not).</li>
 * <li>io_submit(2) lists IOCB_CMD_FSYNC and IOCB_CMD_FDSYNC as the asynchronous fsync and fdatasync,
 * and RWF_DSYNC/RWF_SYNC in {@code aio_rw_flags}, referring to pwritev2(2) and open(2). It promises
 * no order between the requests of a context. The kernel (fs/aio.c, {@code aio_fsync}) hands the
 * sync to a worker as soon as it is submitted, and the worker flushes what has been written by then:
 * a write submitted with the FDSYNC in the same {@code io_submit}, or still in flight when it was
 * submitted, may reach the device after the flush. <strong>Wait for the writes to complete, then
 * submit the FDSYNC</strong>; a write that completes while a sync runs may or may not be covered
 * (the next sync covers it).</li>
 * <li>pwritev2(2): RWF_DSYNC and RWF_SYNC "provide a per-write equivalent of the O_DSYNC [O_SYNC]
 * open(2) flag ... its effect applies only to the data range written by the system call" (Linux
 * 4.7; in {@code aio_rw_flags} since 4.13). open(2): with O_DSYNC, "by the time write(2) (and similar)
 * return, the output data has been transferred to the underlying hardware, along with any file
 * metadata that would be required to retrieve that data (i.e., as though each write(2) was followed
 * by a call to fdatasync(2))". For AIO, "return" is the request's completion.</li>
 * <li>fsync(2) again: "Calling fsync() does not necessarily ensure that the entry in the directory
 * containing the file has also reached disk. For that an explicit fsync() on a file descriptor for
 * the directory is also needed." None of the file-level syncs above makes a <em>new name</em>
 * durable: after creating or renaming a file, call {@link #syncParentDirectory(Path)}. (ext4 happens
 * to commit a new name with the file's fsync, through its journal or, without one, by syncing the
 * parent of a newly created file; a portable program does not rely on it.)</li>
 * </ul>
 *
 * <h2>Choosing</h2>
 * Group commit with FDSYNC: write a batch, and when its writes have completed, one FDSYNC makes all
 * of them durable (one flush for many writes, but two round trips: the writes, then the sync; a
 * pipeline overlaps the next batch's writes with the current sync). RWF_DSYNC: each write is durable
 * when it completes (one round trip, one flush or FUA write per write). Which is faster depends on
 * the device (FUA or not, flush latency) and on how many writes are merged per flush; the
 * write-ahead-log example (examples/wal) measures both. O_DIRECT alone makes nothing durable: it
 * bypasses the page cache, not the device's write cache.
 *
 * <h2>Errors</h2>
 * A sync that fails (EIO, ENOSPC) means data written since the last successful sync may be lost.
 * Do not retry the sync and take success as durability: since Linux 4.13 a write-back error is
 * reported once to each open file description (fsync(2), ERRORS), and the pages may meanwhile have
 * been marked clean. Rewrite the data, or treat the file as damaged.
 *
 * {@snippet :
 * Path tmp = dir.resolve("state.tmp");
 * try (AioFile f = AioFile.open(ctx, tmp, WRITE, CREATE, TRUNCATE_EXISTING, AioOpenOption.DIRECT)) {
 *     f.write(buf, 0).join();
 *     f.fdatasync().join();                                  // the data, after the write completed
 * }
 * Files.move(tmp, dir.resolve("state"), StandardCopyOption.ATOMIC_MOVE);
 * Durability.syncDirectory(dir);                             // the rename
 * }
 */
public final class Durability {

    static {
        NativeAccess.init(); // before any use of the generated bindings: see NativeAccess
    }

    private Durability() {}

    /**
     * Makes the entries of {@code directory} durable: {@code open(O_RDONLY | O_DIRECTORY)} and
     * fsync(2) of the directory, so that files created, renamed or removed in it before the call
     * survive a crash. A blocking system call on the calling thread (directories cannot be opened as
     * an {@link AioFile}; they are synced once per create or rename, not per I/O).
     *
     * @param directory the directory
     * @throws NoSuchFileException    it does not exist
     * @throws NotDirectoryException  it is not a directory
     * @throws AccessDeniedException  it cannot be opened for reading
     * @throws AioException           the kernel's errno from fsync: EIO (the directory's blocks could
     *                                not be written), EINVAL (the filesystem cannot sync directories)
     * @throws IOException            any other failure
     */
    public static void syncDirectory(Path directory) throws IOException {
        Objects.requireNonNull(directory, "directory");
        NativeAccess.ensureEnabled();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            int fd = Libc.open(errno, arena.allocateFrom(directory.toString()),
                    LinuxH.O_RDONLY() | ArchConstants.O_DIRECTORY | LinuxH.O_CLOEXEC(), 0);
            if (fd < 0) {
                throw openFailure(directory, -fd);
            }
            NativeResources.descriptorOpened();
            int synced;
            try {
                synced = Libc.fsync(errno, fd);
            } finally {
                Libc.close(errno, fd); // a directory opened read-only has nothing to write back on close
                NativeResources.descriptorClosed();
            }
            if (synced < 0) {
                int e = -synced;
                throw new AioException(e, "fsync", "directory " + directory + (e == Errno.EINVAL
                        ? ": this filesystem does not support syncing a directory" : ""));
            }
        }
    }

    /**
     * {@link #syncDirectory(Path)} of the directory that holds {@code file}: after creating or
     * renaming {@code file}, makes its name durable.
     *
     * @param file a file (or directory) whose entry should survive a crash
     * @throws IOException as {@link #syncDirectory(Path)}
     */
    public static void syncParentDirectory(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Path parent = file.toAbsolutePath().getParent();
        syncDirectory(parent != null ? parent : file.toAbsolutePath().getRoot());
    }

    private static IOException openFailure(Path directory, int errno) {
        String reason = Errno.name(errno) + " (" + Errno.description(errno) + ")";
        return switch (errno) {
            case Errno.ENOENT -> new NoSuchFileException(directory.toString(), null, reason);
            case Errno.ENOTDIR -> new NotDirectoryException(directory.toString());
            case Errno.EACCES, Errno.EPERM -> new AccessDeniedException(directory.toString(), null, reason);
            default -> new AioException(errno, "open", "directory " + directory);
        };
    }
}
