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

import dev.kaio.internal.sys.NativeAccess;
import dev.kaio.engine.RawFile;
import dev.kaio.internal.sys.Iocbs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file or block device whose reads, writes and syncs go through an {@link AioContext}: each call
 * prepares one iocb, submits it with io_submit on the calling thread and returns a future; a platform
 * thread that waits on that future collects the completion itself, otherwise the context's reaper
 * thread completes it (see {@link AioContext}).
 *
 * {@snippet :
 * try (Arena arena = Arena.ofShared();                   // closed last: after the file's requests
 *      AioContext ctx = AioContext.open(64);
 *      AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE, AioOpenOption.DIRECT)) {
 *     int align = file.alignment();
 *     MemorySegment a = DirectBuffers.allocate(arena, 4096, align);
 *     MemorySegment b = DirectBuffers.allocate(arena, 8192, align);
 *     a.fill((byte) 1);
 *     b.fill((byte) 2);
 *     long written = file.writev(List.of(a, b), 0).join();   // one IOCB_CMD_PWRITEV
 *     file.fdatasync().join();                                // IOCB_CMD_FDSYNC
 *     long read = file.readv(List.of(b, a), 0).join();       // one IOCB_CMD_PREADV
 * }
 * }
 *
 * <h2>Results and errors</h2>
 * A read completes with the number of bytes read, which is smaller than asked at end of file
 * (0 at or beyond it; kaio never turns that into -1). A request the kernel fails, at submission or
 * later, completes exceptionally with an {@link AioException} whose {@link AioException#errno()} is
 * the kernel's (EINVAL for a misaligned O_DIRECT request, with the misalignment spelled out). Invalid
 * arguments throw before anything is submitted: {@link NullPointerException},
 * {@link IllegalArgumentException} (heap segment, read-only segment to read into, negative
 * position, no segments or more than IOV_MAX = 1024), {@link IllegalStateException} (segment whose arena is
 * closed), {@link NonReadableChannelException} / {@link NonWritableChannelException} (wrong open
 * mode). After {@link #close()}, or after the context's close, requests complete exceptionally with
 * {@link ClosedChannelException}.
 *
 * <h2>Buffers</h2>
 * The request holds a reference to its segments until it completes; the caller must keep their
 * arena open until then (the kernel writes to, or reads from, the memory asynchronously).
 *
 * <h2>Threads</h2>
 * Thread-safe. Futures are completed on the thread that collects the completion (a thread waiting
 * on one, or the context's reaper thread), so dependent actions attached with {@code thenApply} etc.
 * run there unless the {@code *Async} variants are used: keep them short and non-blocking.
 */
public final class AioFile implements AutoCloseable {

    static {
        NativeAccess.init(); // before any use of the generated bindings: see NativeAccess
    }

    /** Linux transfers at most this many bytes per read/write (MAX_RW_COUNT). */
    public static final long MAX_TRANSFER = 0x7ffff000L;

    private static final int CLOSED_BIT = 1 << 30;

    private final AioContext context;
    private final RawFile file;
    // requests in flight from this file, plus CLOSED_BIT once close() started
    private final AtomicInteger requests = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    private AioFile(AioContext context, RawFile file) {
        this.context = context;
        this.file = file;
    }

    /**
     * Opens {@code path} for use with {@code context}. Options: {@link java.nio.file.StandardOpenOption}
     * READ, WRITE, APPEND, CREATE, CREATE_NEW, TRUNCATE_EXISTING, DELETE_ON_CLOSE, SPARSE, DSYNC, SYNC,
     * {@link java.nio.file.LinkOption#NOFOLLOW_LINKS} and {@link AioOpenOption} (DIRECT for O_DIRECT).
     * Without READ or WRITE the file is opened for reading. A block device can be opened like a file.
     *
     * @param context the context that will run the file's requests
     * @param path    the file or block device
     * @param options how to open it
     * @return the open file; close it before the context
     * @throws java.nio.file.NoSuchFileException        if it does not exist (and CREATE was not given)
     * @throws java.nio.file.FileAlreadyExistsException with CREATE_NEW if it exists
     * @throws java.nio.file.AccessDeniedException      EACCES/EPERM
     * @throws AioException                             any other errno (EISDIR for a directory,
     *                                                  EINVAL when the filesystem refuses O_DIRECT)
     * @throws ClosedChannelException                   if the context is closed
     * @throws IOException                              for any other failure to open
     */
    public static AioFile open(AioContext context, Path path, OpenOption... options) throws IOException {
        return open(context, path, 0666, options);
    }

    /**
     * Like {@link #open(AioContext, Path, OpenOption...)}, creating a missing file with permissions {@code mode}.
     *
     * @param context the context that will run the file's requests
     * @param path    the file or block device
     * @param mode    the permission bits of a file that CREATE or CREATE_NEW creates (e.g. {@code 0644})
     * @param options how to open it
     * @return the open file
     * @throws IOException as {@link #open(AioContext, Path, OpenOption...)}
     */
    public static AioFile open(AioContext context, Path path, int mode, OpenOption... options) throws IOException {
        Objects.requireNonNull(context, "context");
        context.ensureOpen();
        return new AioFile(context, RawFile.open(path, mode, options));
    }

    /**
     * The context this file submits to.
     *
     * @return the context given to {@code open}
     */
    public AioContext context() {
        return context;
    }

    /**
     * The path the file was opened with.
     *
     * @return the path given to {@code open}
     */
    public Path path() {
        return file.path();
    }

    /**
     * The file descriptor (for diagnostics; do not close it).
     *
     * @return the descriptor, valid until {@link #close()}
     */
    public int fd() {
        return file.fd();
    }

    /**
     * Whether the file was opened with O_DIRECT.
     *
     * @return true if opened with {@link AioOpenOption#DIRECT}
     */
    public boolean isDirect() {
        return file.isDirect();
    }

    /**
     * The alignment O_DIRECT requires of buffer addresses, lengths and positions; 1 if the file was not
     * opened with {@link AioOpenOption#DIRECT}. It comes from the kernel: statx(STATX_DIOALIGN) where
     * the kernel and filesystem report it (Linux 6.1+), ioctl(BLKSSZGET) for a block device, the
     * logical block size of the device under the file (sysfs), or {@value RawFile#FALLBACK_ALIGNMENT}
     * when nothing says (NFS, tmpfs, FUSE); see {@link #alignmentInfo()}.
     *
     * @return the alignment in bytes, a power of two
     */
    public int alignment() {
        return file.alignment();
    }

    /**
     * The memory and offset alignments separately, and where they came from.
     *
     * @return what O_DIRECT requires of this file's requests
     */
    public DirectIoAlignment alignmentInfo() {
        return file.alignmentInfo();
    }

    /**
     * The current size: st_size of a file, ioctl(BLKGETSIZE64) of a block device.
     *
     * @return the size in bytes
     * @throws ClosedChannelException if the file is closed
     * @throws IOException            if the kernel cannot tell
     */
    public long size() throws IOException {
        if (isClosed()) {
            throw new ClosedChannelException();
        }
        return file.size();
    }

    /**
     * Reads {@code dst.byteSize()} bytes at {@code position} (IOCB_CMD_PREAD); completes with the count read.
     *
     * @param dst      native memory to read into; keep its arena open until the future completes
     * @param position the file position
     * @return the number of bytes read, fewer at end of file
     */
    public CompletableFuture<Integer> read(MemorySegment dst, long position) {
        return read(dst, position, IoOptions.NONE);
    }

    /**
     * Reads with per-request {@link IoOptions} (RWF_* flags such as {@link RwFlag#NOWAIT}, an I/O
     * priority). With NOWAIT, data not in the page cache completes the future with
     * {@link WouldBlockException} instead of waiting for the device.
     *
     * @param dst      native memory to read into; keep its arena open until the future completes
     * @param position the file position
     * @param options  flags and priority of this request
     * @return the number of bytes read, fewer at end of file
     */
    public CompletableFuture<Integer> read(MemorySegment dst, long position, IoOptions options) {
        checkRead(dst, position, options);
        return context.submit(this, fd(), Iocbs.CMD_PREAD, AioContext.RESULT_INT, dst, null, position, dst.byteSize(),
                options);
    }

    /**
     * Writes all of {@code src} at {@code position} (IOCB_CMD_PWRITE); completes with the count written.
     *
     * @param src      native memory to write; keep its arena open until the future completes
     * @param position the file position
     * @return the number of bytes written
     */
    public CompletableFuture<Integer> write(MemorySegment src, long position) {
        return write(src, position, IoOptions.NONE);
    }

    /**
     * Writes with per-request {@link IoOptions} (e.g. {@link RwFlag#DSYNC} for a durable write).
     *
     * @param src      native memory to write; keep its arena open until the future completes
     * @param position the file position
     * @param options  flags and priority of this request
     * @return the number of bytes written
     */
    public CompletableFuture<Integer> write(MemorySegment src, long position, IoOptions options) {
        checkWrite(src, position, options);
        return context.submit(this, fd(), Iocbs.CMD_PWRITE, AioContext.RESULT_INT, src, null, position, src.byteSize(),
                options);
    }

    /**
     * Reads at {@code position} into {@code dsts} in order, with one IOCB_CMD_PREADV; completes with the
     * total count read. 1 to IOV_MAX (1024) segments.
     *
     * @param dsts     native segments to fill in order; keep their arenas open until the future completes
     * @param position the file position of the first byte
     * @return the total number of bytes read, fewer at end of file
     */
    public CompletableFuture<Long> readv(List<MemorySegment> dsts, long position) {
        return readv(dsts, position, IoOptions.NONE);
    }

    /**
     * {@link #readv(List, long)} with per-request {@link IoOptions}.
     *
     * @param dsts     native segments to fill in order
     * @param position the file position of the first byte
     * @param options  flags and priority of this request
     * @return the total number of bytes read
     */
    public CompletableFuture<Long> readv(List<MemorySegment> dsts, long position, IoOptions options) {
        List<MemorySegment> copy = checkReadv(dsts, position, options);
        return context.submit(this, fd(), Iocbs.CMD_PREADV, AioContext.RESULT_LONG, null, copy, position, total(copy),
                options);
    }

    /**
     * Writes {@code srcs} in order at {@code position}, with one IOCB_CMD_PWRITEV; completes with the
     * total count written. 1 to IOV_MAX (1024) segments.
     *
     * @param srcs     native segments to write in order; keep their arenas open until the future completes
     * @param position the file position of the first byte
     * @return the total number of bytes written
     */
    public CompletableFuture<Long> writev(List<MemorySegment> srcs, long position) {
        return writev(srcs, position, IoOptions.NONE);
    }

    /**
     * {@link #writev(List, long)} with per-request {@link IoOptions}.
     *
     * @param srcs     native segments to write in order
     * @param position the file position of the first byte
     * @param options  flags and priority of this request
     * @return the total number of bytes written
     */
    public CompletableFuture<Long> writev(List<MemorySegment> srcs, long position, IoOptions options) {
        List<MemorySegment> copy = checkWritev(srcs, position, options);
        return context.submit(this, fd(), Iocbs.CMD_PWRITEV, AioContext.RESULT_LONG, null, copy, position, total(copy),
                options);
    }

    // ------------------------------------------------------------------ with a handler: nothing allocated

    /**
     * {@link #read(MemorySegment, long, IoOptions)} with a handler and its attachment instead of a
     * future: nothing is allocated per request; {@code handler} gets the bytes read.
     *
     * {@snippet :
     * file.read(page.buffer(), page.position(), IoOptions.NONE, page, pageHandler);
     * }
     *
     * @param dst        where to read into
     * @param position   the file offset
     * @param options    flags, priority, where the handler runs
     * @param attachment given back to the handler
     * @param handler    called once when the request has ended
     * @param <A>        the attachment's type
     */
    public <A> void read(MemorySegment dst, long position, IoOptions options, A attachment,
            AioHandler<? super A> handler) {
        checkRead(dst, position, options);
        context.submit(this, fd(), Iocbs.CMD_PREAD, AioContext.RESULT_INT, dst, null, position, dst.byteSize(),
                options, attachment, handler);
    }

    /**
     * {@link #write(MemorySegment, long, IoOptions)} with a handler and its attachment instead of a
     * future; {@code handler} gets the bytes written.
     *
     * @param src        what to write
     * @param position   the file offset
     * @param options    flags, priority, where the handler runs
     * @param attachment given back to the handler
     * @param handler    called once when the request has ended
     * @param <A>        the attachment's type
     */
    public <A> void write(MemorySegment src, long position, IoOptions options, A attachment,
            AioHandler<? super A> handler) {
        checkWrite(src, position, options);
        context.submit(this, fd(), Iocbs.CMD_PWRITE, AioContext.RESULT_INT, src, null, position, src.byteSize(),
                options, attachment, handler);
    }

    /**
     * {@link #readv(List, long, IoOptions)} with a handler and its attachment instead of a future.
     *
     * @param dsts       where to read into, in order
     * @param position   the file offset
     * @param options    flags, priority, where the handler runs
     * @param attachment given back to the handler
     * @param handler    called once when the request has ended
     * @param <A>        the attachment's type
     */
    public <A> void readv(List<MemorySegment> dsts, long position, IoOptions options, A attachment,
            AioHandler<? super A> handler) {
        List<MemorySegment> copy = checkReadv(dsts, position, options);
        context.submit(this, fd(), Iocbs.CMD_PREADV, AioContext.RESULT_LONG, null, copy, position, total(copy),
                options, attachment, handler);
    }

    /**
     * {@link #writev(List, long, IoOptions)} with a handler and its attachment instead of a future.
     *
     * @param srcs       what to write, in order
     * @param position   the file offset
     * @param options    flags, priority, where the handler runs
     * @param attachment given back to the handler
     * @param handler    called once when the request has ended
     * @param <A>        the attachment's type
     */
    public <A> void writev(List<MemorySegment> srcs, long position, IoOptions options, A attachment,
            AioHandler<? super A> handler) {
        List<MemorySegment> copy = checkWritev(srcs, position, options);
        context.submit(this, fd(), Iocbs.CMD_PWRITEV, AioContext.RESULT_LONG, null, copy, position, total(copy),
                options, attachment, handler);
    }

    /**
     * {@link #fdatasync()} with a handler and its attachment instead of a future.
     *
     * @param attachment given back to the handler
     * @param handler    called once when the request has ended (with result 0)
     * @param <A>        the attachment's type
     */
    public <A> void fdatasync(A attachment, AioHandler<? super A> handler) {
        context.submit(this, fd(), Iocbs.CMD_FDSYNC, AioContext.RESULT_VOID, null, null, 0, 0, IoOptions.NONE,
                attachment, handler);
    }

    /**
     * {@link #fsync()} with a handler and its attachment instead of a future.
     *
     * @param attachment given back to the handler
     * @param handler    called once when the request has ended (with result 0)
     * @param <A>        the attachment's type
     */
    public <A> void fsync(A attachment, AioHandler<? super A> handler) {
        context.submit(this, fd(), Iocbs.CMD_FSYNC, AioContext.RESULT_VOID, null, null, 0, 0, IoOptions.NONE,
                attachment, handler);
    }

    /**
     * Flushes data and metadata to stable storage (IOCB_CMD_FSYNC, like fsync(2)).
     *
     * @return completes when the kernel reports the file durable
     */
    public CompletableFuture<Void> fsync() {
        return context.submit(this, fd(), Iocbs.CMD_FSYNC, AioContext.RESULT_VOID, null, null, 0, 0, IoOptions.NONE);
    }

    /**
     * Flushes data, and the metadata needed to read it, to stable storage (IOCB_CMD_FDSYNC, like fdatasync(2)).
     *
     * @return completes when the kernel reports the data durable
     */
    public CompletableFuture<Void> fdatasync() {
        return context.submit(this, fd(), Iocbs.CMD_FDSYNC, AioContext.RESULT_VOID, null, null, 0, 0, IoOptions.NONE);
    }

    // ------------------------------------------------------------------ argument checks (also for AioBatch)

    void checkRead(MemorySegment dst, long position, IoOptions options) {
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(options, "options");
        checkReadable();
        checkBuffer(dst, true);
        checkPosition(position);
        checkLength(dst.byteSize());
    }

    void checkWrite(MemorySegment src, long position, IoOptions options) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(options, "options");
        checkWritable();
        checkBuffer(src, false);
        checkPosition(position);
        checkLength(src.byteSize());
    }

    List<MemorySegment> checkReadv(List<MemorySegment> dsts, long position, IoOptions options) {
        Objects.requireNonNull(options, "options");
        checkReadable();
        List<MemorySegment> copy = copyOf(dsts, "dsts");
        checkVector(copy, true);
        checkPosition(position);
        return copy;
    }

    List<MemorySegment> checkWritev(List<MemorySegment> srcs, long position, IoOptions options) {
        Objects.requireNonNull(options, "options");
        checkWritable();
        List<MemorySegment> copy = copyOf(srcs, "srcs");
        checkVector(copy, false);
        checkPosition(position);
        return copy;
    }

    static long total(List<MemorySegment> segments) {
        long total = 0;
        for (int i = 0; i < segments.size(); i++) {
            total += segments.get(i).byteSize();
        }
        return total;
    }

    private void checkReadable() {
        if (!file.isReadable()) {
            throw new NonReadableChannelException();
        }
    }

    private void checkWritable() {
        if (!file.isWritable()) {
            throw new NonWritableChannelException();
        }
    }

    private static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
    }

    private static void checkLength(long length) {
        if (length > MAX_TRANSFER) {
            throw new IllegalArgumentException("a single transfer is limited to " + MAX_TRANSFER + " bytes: " + length);
        }
    }

    private static void checkBuffer(MemorySegment segment, boolean readInto) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("buffer must be native memory, not a heap segment: " + segment);
        }
        if (readInto && segment.isReadOnly()) {
            throw new IllegalArgumentException("cannot read into a read-only segment: " + segment);
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the buffer's arena is already closed: " + segment);
        }
    }

    /** An immutable copy, so that the caller changing its list cannot change a request in flight. */
    private static List<MemorySegment> copyOf(List<MemorySegment> segments, String name) {
        Objects.requireNonNull(segments, name);
        for (int i = 0; i < segments.size(); i++) {
            Objects.requireNonNull(segments.get(i), name + "[" + i + "]");
        }
        return List.copyOf(segments);
    }

    private static long checkVector(List<MemorySegment> segments, boolean readInto) {
        Objects.requireNonNull(segments, "segments");
        int n = segments.size();
        if (n == 0 || n > Iocbs.IOV_MAX) {
            throw new IllegalArgumentException("a vector needs 1 to IOV_MAX (" + Iocbs.IOV_MAX + ") segments: " + n);
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            MemorySegment s = Objects.requireNonNull(segments.get(i), "segment " + i);
            checkBuffer(s, readInto);
            total += s.byteSize();
        }
        checkLength(total);
        return total;
    }

    // ------------------------------------------------------------------ lifecycle, used by AioContext

    /** Counts a request in, unless the file is closed. */
    boolean beginRequest() {
        int c;
        do {
            c = requests.get();
            if ((c & CLOSED_BIT) != 0) {
                return false;
            }
        } while (!requests.compareAndSet(c, c + 1));
        return true;
    }

    /** Counts a request out; the last one out after close() closes the descriptor. */
    void endRequest() {
        if (requests.decrementAndGet() == CLOSED_BIT) {
            closeDescriptor();
        }
    }

    RawFile raw() {
        return file;
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closing has started
     */
    public boolean isClosed() {
        return (requests.get() & CLOSED_BIT) != 0;
    }

    /**
     * Closes the file: new requests fail with {@link ClosedChannelException}; requests in flight
     * complete normally, and this method waits for them (so their buffers may be freed afterwards)
     * before closing the descriptor. Called on a thread that is completing requests (from a completion
     * callback) it cannot wait: the descriptor is then closed when the last request completes.
     * Idempotent.
     */
    @Override
    public void close() throws IOException {
        int c;
        do {
            c = requests.get();
            if ((c & CLOSED_BIT) != 0) {
                awaitDrained();
                return;
            }
        } while (!requests.compareAndSet(c, c | CLOSED_BIT));
        if (c == 0) {
            closeDescriptor();
        }
        awaitDrained();
    }

    private void awaitDrained() throws IOException {
        if (context.isCompletingThread()) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                drained.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException(e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeDescriptor() {
        try {
            file.close();
            drained.complete(null);
        } catch (IOException | RuntimeException e) {
            drained.completeExceptionally(e);
        }
    }

    @Override
    public String toString() {
        return "AioFile[" + file.path() + (file.isDirect() ? ", O_DIRECT" : "") + (isClosed() ? ", closed" : "") + "]";
    }
}
