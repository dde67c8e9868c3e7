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
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link AsynchronousFileChannel} backed by Linux AIO: switching existing NIO code to kernel AIO is
 * one line.
 *
 * {@snippet :
 * // AsynchronousFileChannel ch = AsynchronousFileChannel.open(path, READ, WRITE);
 * AsynchronousFileChannel ch = KaioFileChannel.open(path, READ, WRITE);
 * }
 *
 * <p>Reads and writes are single io_submit'ed requests; {@link #force(boolean)} is IOCB_CMD_FSYNC or
 * IOCB_CMD_FDSYNC. Direct {@code ByteBuffer}s go straight to the kernel; heap buffers are copied
 * through pooled, aligned native buffers. {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} (or
 * {@link AioOpenOption#DIRECT}) opens with O_DIRECT: then positions and lengths must be multiples of
 * {@link #alignment()}, and direct buffers' addresses too, or the operation fails with an
 * {@link AioException} (EINVAL), as the JDK's channel fails with an IOException.
 *
 * <h2>Semantics</h2>
 * As the JDK's: a read at or beyond end of file completes with -1, a read into a full buffer with 0;
 * buffer positions advance by the bytes transferred; APPEND is refused; a closed channel fails new
 * operations with {@link ClosedChannelException}; operations that complete after {@link #close()}
 * fail with {@link AsynchronousCloseException} (kernel file I/O cannot be aborted, so it may have
 * happened); each {@link CompletionHandler} is invoked exactly once, on the channel's executor (the
 * one given to {@link #open(AioContext, Path, Set, ExecutorService, FileAttribute[])}, otherwise a shared pool of
 * daemon threads), never on kaio's reaper thread. The suite {@code AsyncFileChannelConformance} runs
 * the same assertions against the JDK's channel and this one. Directories are refused at open with
 * EISDIR (the JDK opens them and fails later).
 *
 * <h2>Locks</h2>
 * {@link #lock} and {@link #tryLock} take open-file-description locks (fcntl F_OFD_SETLK /
 * F_OFD_SETLKW): they belong to this channel, are released by {@link FileLock#release()} or when the
 * channel closes, and conflict with locks taken through other channels and by other processes (unlike
 * the JDK's POSIX record locks, which never conflict within a process). Within this JVM an
 * overlapping lock request throws {@link java.nio.channels.OverlappingFileLockException}, as with the
 * JDK. A blocking {@code lock} waits in the kernel on a daemon thread; if the channel closes first, it
 * completes with {@link AsynchronousCloseException} once the kernel grants it (and releases it).
 *
 * <h2>Context</h2>
 * Channels opened without an {@link AioContext} share one JVM-wide context of depth 256 (created on
 * first use, holding 257 events of {@code fs.aio-max-nr} for the life of the JVM).
 *
 * <p>Thread-safe.
 */
public final class KaioFileChannel extends AsynchronousFileChannel {

    static {
        NativeAccess.init(); // before any use of the generated bindings: see NativeAccess
    }

    /** Depth of the shared context used by channels opened without one. */
    public static final int DEFAULT_CONTEXT_DEPTH = 256;

    private static final Object DEFAULT_LOCK = new Object();
    private static volatile AioContext defaultContext;
    private static final ExecutorService DEFAULT_HANDLERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kaio-channel-handler");
        t.setDaemon(true);
        return t;
    });

    private final AioFile file;
    private final Executor handlers;
    private final BouncePool bounce;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private KaioFileChannel(AioFile file, Executor handlers) {
        this.file = file;
        this.handlers = handlers;
        this.bounce = new BouncePool(file.alignment());
    }

    /**
     * Opens {@code file} like {@link AsynchronousFileChannel#open(Path, OpenOption...)}: READ, WRITE,
     * CREATE, CREATE_NEW, TRUNCATE_EXISTING, DELETE_ON_CLOSE, SPARSE, SYNC, DSYNC, NOFOLLOW_LINKS, and
     * {@code ExtendedOpenOption.DIRECT}/{@link AioOpenOption#DIRECT}.
     *
     * @param file    the file to open
     * @param options how to open it
     * @return the open channel, on the JVM-wide context ({@link #defaultContext()})
     * @throws UnsupportedOperationException for APPEND (as the JDK) or an unknown option
     * @throws IOException                   if the file cannot be opened (see {@link AioFile#open})
     */
    public static KaioFileChannel open(Path file, OpenOption... options) throws IOException {
        return open(defaultContext(), file, Set.of(options), null);
    }

    /**
     * Opens {@code file} like {@link AsynchronousFileChannel#open(Path, Set, ExecutorService,
     * FileAttribute[])}: completion handlers run on {@code executor} (null: a shared daemon pool).
     * The only file attribute supported is {@code posix:permissions}, applied when the file is
     * created.
     *
     * @param file     the file to open
     * @param options  how to open it
     * @param executor where completion handlers run, or null for a shared pool of daemon threads
     * @param attrs    {@code posix:permissions} of a file that is created, or nothing
     * @return the open channel, on the JVM-wide context ({@link #defaultContext()})
     * @throws UnsupportedOperationException for APPEND, an unknown option or another file attribute
     * @throws IOException                   if the file cannot be opened (see {@link AioFile#open})
     */
    public static KaioFileChannel open(Path file, Set<? extends OpenOption> options, ExecutorService executor,
            FileAttribute<?>... attrs) throws IOException {
        return open(defaultContext(), file, options, executor, attrs);
    }

    /**
     * Opens {@code file} on the given context (its queue depth bounds this channel's concurrency).
     *
     * @param context  the context that runs the channel's requests
     * @param file     the file to open
     * @param options  how to open it
     * @param executor where completion handlers run, or null for a shared pool of daemon threads
     * @param attrs    {@code posix:permissions} of a file that is created, or nothing
     * @return the open channel
     * @throws UnsupportedOperationException for APPEND, an unknown option or another file attribute
     * @throws java.nio.channels.ClosedChannelException if the context is closed
     * @throws IOException                   if the file cannot be opened (see {@link AioFile#open})
     */
    public static KaioFileChannel open(AioContext context, Path file, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        if (options.contains(StandardOpenOption.APPEND)) {
            throw new UnsupportedOperationException("APPEND not allowed");
        }
        int mode = 0666;
        for (FileAttribute<?> attr : attrs) {
            if (attr.name().equals("posix:permissions") && attr.value() instanceof Set<?> perms) {
                mode = 0;
                for (Object p : perms) {
                    mode |= 1 << (8 - ((PosixFilePermission) p).ordinal());
                }
            } else {
                throw new UnsupportedOperationException("file attribute not supported: " + attr.name());
            }
        }
        context.ensureOpen();
        AioFile f = AioFile.open(context, file, mode, options.toArray(OpenOption[]::new));
        return new KaioFileChannel(f, executor != null ? executor : DEFAULT_HANDLERS);
    }

    /**
     * The JVM-wide context used by channels opened without one, created on first use.
     *
     * @return the shared context (depth {@value #DEFAULT_CONTEXT_DEPTH})
     * @throws IOException if it has to be created and io_setup fails (see {@link AioContext#open(int)})
     */
    public static AioContext defaultContext() throws IOException {
        AioContext ctx = defaultContext;
        if (ctx == null || ctx.isClosed()) {
            synchronized (DEFAULT_LOCK) {
                ctx = defaultContext;
                if (ctx == null || ctx.isClosed()) {
                    ctx = AioContext.open(DEFAULT_CONTEXT_DEPTH);
                    defaultContext = ctx;
                }
            }
        }
        return ctx;
    }

    /**
     * Closes the JVM-wide context (for example at application shutdown); channels still open on it fail
     * their next operations with {@link ClosedChannelException}. The next {@link #open} creates a new one.
     *
     * @throws IOException if closing the context fails
     */
    public static void closeDefaultContext() throws IOException {
        synchronized (DEFAULT_LOCK) {
            AioContext ctx = defaultContext;
            defaultContext = null;
            if (ctx != null) {
                ctx.close();
            }
        }
    }

    /**
     * The O_DIRECT alignment of positions, lengths and direct-buffer addresses.
     *
     * @return the alignment in bytes; 1 without O_DIRECT
     */
    public int alignment() {
        return file.alignment();
    }

    /**
     * The underlying kaio file.
     *
     * @return the file whose requests this channel submits
     */
    public AioFile aioFile() {
        return file;
    }

    // ---------------------------------------------------------------------------------- read/write

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        return readImpl(dst, position);
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        dispatch(readImpl(dst, position), attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        return writeImpl(src, position);
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        dispatch(writeImpl(src, position), attachment, handler);
    }

    private CompletableFuture<Integer> readImpl(ByteBuffer dst, long position) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!file.raw().isReadable()) {
            throw new NonReadableChannelException();
        }
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        int remaining = dst.remaining();
        if (remaining == 0) {
            return CompletableFuture.completedFuture(0);
        }
        int length = (int) Math.min(remaining, AioFile.MAX_TRANSFER);
        int start = dst.position();
        if (dst.isDirect()) {
            MemorySegment target = MemorySegment.ofBuffer(dst).asSlice(0, length);
            return file.read(target, position).handle((n, e) -> {
                checkOutcome(e);
                if (n == 0) {
                    return -1; // nothing at or past end of file
                }
                dst.position(start + n);
                return n;
            });
        }
        BouncePool.Lease lease = bounce.take(length);
        return file.read(lease.segment, position).handle((n, e) -> {
            try {
                checkOutcome(e);
                if (n == 0) {
                    return -1;
                }
                MemorySegment.ofBuffer(dst).copyFrom(lease.segment.asSlice(0, n));
                dst.position(start + n);
                return n;
            } finally {
                lease.close();
            }
        });
    }

    private CompletableFuture<Integer> writeImpl(ByteBuffer src, long position) {
        Objects.requireNonNull(src, "src");
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!file.raw().isWritable()) {
            throw new NonWritableChannelException();
        }
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        int remaining = src.remaining();
        if (remaining == 0) {
            return CompletableFuture.completedFuture(0);
        }
        int length = (int) Math.min(remaining, AioFile.MAX_TRANSFER);
        int start = src.position();
        if (src.isDirect()) {
            MemorySegment source = MemorySegment.ofBuffer(src).asSlice(0, length);
            return file.write(source, position).handle((n, e) -> {
                checkOutcome(e);
                src.position(start + n);
                return n;
            });
        }
        BouncePool.Lease lease = bounce.take(length);
        lease.segment.copyFrom(MemorySegment.ofBuffer(src).asSlice(0, length));
        return file.write(lease.segment, position).handle((n, e) -> {
            try {
                checkOutcome(e);
                src.position(start + n);
                return n;
            } finally {
                lease.close();
            }
        });
    }

    /** Rethrows a failure; reports an operation that ended after close() as AsynchronousCloseException. */
    private void checkOutcome(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (!isOpen()) {
            throw new CompletionException(new AsynchronousCloseException());
        }
        if (cause != null) {
            throw cause instanceof CompletionException ce ? ce : new CompletionException(cause);
        }
    }

    private <V, A> void dispatch(CompletableFuture<V> future, A attachment, CompletionHandler<V, ? super A> handler) {
        future.whenComplete((v, e) -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            try {
                handlers.execute(() -> {
                    if (cause == null) {
                        handler.completed(v, attachment);
                    } else {
                        handler.failed(cause, attachment);
                    }
                });
            } catch (RuntimeException rejected) {
                // the executor is shut down: call the handler here rather than never
                if (cause == null) {
                    handler.completed(v, attachment);
                } else {
                    handler.failed(cause, attachment);
                }
            }
        });
    }

    // ---------------------------------------------------------------------------------- file

    @Override
    public long size() throws IOException {
        ensureOpen();
        return file.size();
    }

    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        ensureOpen();
        if (!file.raw().isWritable()) {
            throw new NonWritableChannelException();
        }
        if (size < file.size()) {
            file.raw().truncate(size);
        }
        return this;
    }

    /** IOCB_CMD_FSYNC with {@code metaData}, IOCB_CMD_FDSYNC without; waits for it. */
    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
        CompletableFuture<Void> f = metaData ? file.fsync() : file.fdatasync();
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.nio.channels.ClosedByInterruptException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    // ---------------------------------------------------------------------------------- locks

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
            CompletionHandler<FileLock, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        dispatch(lockImpl(position, size, shared), attachment, handler);
    }

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        return lockImpl(position, size, shared);
    }

    private CompletableFuture<FileLock> lockImpl(long position, long size, boolean shared) {
        checkLockArguments(position, size, shared);
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        String key = file.raw().fileKey();
        FileLocks.Range range = FileLocks.register(key, this, position, size);
        CompletableFuture<FileLock> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("kaio-lock-wait").start(() -> {
            int ret = FileLocks.fcntl(file.fd(), true, shared ? FileLocks.readLock() : FileLocks.writeLock(), position,
                    size);
            if (ret < 0) {
                FileLocks.unregister(key, range);
                result.completeExceptionally(new AioException(-ret, "fcntl(F_OFD_SETLKW)", file.path().toString()));
            } else if (!isOpen()) {
                FileLocks.unregister(key, range);
                result.completeExceptionally(new AsynchronousCloseException());
            } else {
                result.complete(new KaioFileLock(this, position, size, shared, key, range));
            }
        });
        return result;
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        checkLockArguments(position, size, shared);
        ensureOpen();
        String key = file.raw().fileKey();
        FileLocks.Range range = FileLocks.register(key, this, position, size);
        int ret = FileLocks.fcntl(file.fd(), false, shared ? FileLocks.readLock() : FileLocks.writeLock(), position, size);
        if (ret < 0) {
            FileLocks.unregister(key, range);
            if (ret == -Errno.EAGAIN || ret == -Errno.EACCES) {
                return null; // held by another channel or process
            }
            throw new AioException(-ret, "fcntl(F_OFD_SETLK)", file.path().toString());
        }
        return new KaioFileLock(this, position, size, shared, key, range);
    }

    private void checkLockArguments(long position, long size, boolean shared) {
        if (position < 0 || size < 0 || position + size < 0) {
            throw new IllegalArgumentException("Negative position, size, or position + size");
        }
        if (shared && !file.raw().isReadable()) {
            throw new NonReadableChannelException();
        }
        if (!shared && !file.raw().isWritable()) {
            throw new NonWritableChannelException();
        }
    }

    /** An OFD lock held through this channel. */
    private static final class KaioFileLock extends FileLock {
        private final String key;
        private final FileLocks.Range range;
        private final AtomicBoolean released = new AtomicBoolean();

        KaioFileLock(KaioFileChannel channel, long position, long size, boolean shared, String key,
                FileLocks.Range range) {
            super(channel, position, size, shared);
            this.key = key;
            this.range = range;
        }

        @Override
        public boolean isValid() {
            return !released.get() && acquiredBy().isOpen();
        }

        @Override
        public void release() throws IOException {
            KaioFileChannel ch = (KaioFileChannel) acquiredBy();
            if (!ch.isOpen()) {
                throw new ClosedChannelException();
            }
            if (released.compareAndSet(false, true)) {
                int ret = FileLocks.fcntl(ch.file.fd(), false, FileLocks.unlock(), position(), size());
                FileLocks.unregister(key, range);
                if (ret < 0) {
                    throw new AioException(-ret, "fcntl(F_OFD_SETLK, F_UNLCK)", ch.file.path().toString());
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------- lifecycle

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    /**
     * Closes the channel: new operations fail with {@link ClosedChannelException}; operations in flight
     * finish in the kernel and fail with {@link AsynchronousCloseException}; the descriptor is closed
     * (which releases this channel's locks) once they have, and the pooled buffers are freed.
     */
    @Override
    public void close() throws IOException {
        if (open.compareAndSet(true, false)) {
            try {
                file.close();
            } finally {
                FileLocks.unregisterAll(file.raw().fileKey(), this);
                bounce.close(); // frees the pool once the last buffer in use comes back
            }
        }
    }

    @Override
    public String toString() {
        return "KaioFileChannel[" + file.path() + (isOpen() ? "" : ", closed") + "]";
    }
}
