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

import dev.kaio.internal.sys.Iocbs;
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
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A {@link AsynchronousFileChannel} backed by Linux AIO: switching existing NIO code to kernel AIO is
 * one line.
 *
 * {@snippet :
 * // AsynchronousFileChannel ch = AsynchronousFileChannel.open(path, READ, WRITE);
 * AsynchronousFileChannel ch = KaioFileChannel.open(path, READ, WRITE);
 * }
 *
 * <p>Where Linux AIO may be missing (another OS or architecture, native access not enabled, io_setup
 * refused by seccomp, a kernel without CONFIG_AIO), {@link #openOrFallback} returns the JDK's channel
 * instead and says why; {@link #open} throws.
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
 * operations with {@link ClosedChannelException}; an operation that fails after {@link #close()}
 * fails with {@link AsynchronousCloseException} (kernel file I/O cannot be aborted: one that
 * completes reports its result); interrupting a thread never closes the channel; each
 * {@link CompletionHandler} is invoked exactly once, on the channel's executor, never on kaio's
 * reaper thread. The executor is the one given to {@link #open(Path, Set, ExecutorService,
 * FileAttribute[])}, otherwise a JVM-wide pool configured like the JDK's default pool for
 * asynchronous channels (the system properties {@code java.nio.channels.DefaultThreadPool.threadFactory}
 * and {@code java.nio.channels.DefaultThreadPool.initialSize}). {@code Future.cancel(true)} closes the
 * channel, as the JDK's does. The suite {@code AsyncFileChannelConformance} runs the same assertions
 * against the JDK's channel and this one. Directories are refused at open with EISDIR (the JDK opens
 * them and fails later).
 *
 * <h2>Locks</h2>
 * {@link #lock} and {@link #tryLock} take open-file-description locks (fcntl F_OFD_SETLK): they belong
 * to this channel, are released by {@link FileLock#release()} or when the channel closes, and conflict
 * with locks taken through other channels and by other processes (unlike the JDK's POSIX record locks,
 * which never conflict within a process). Within this JVM an overlapping request to a kaio channel
 * throws {@link java.nio.channels.OverlappingFileLockException}, as with the JDK. A size of 0 locks
 * from the position to the end of the file however it grows ({@code size()} is then
 * {@code Long.MAX_VALUE - position}, as the JDK reports it).
 *
 * <p>A {@code lock} that another process holds does not block a thread: it is retried with a
 * non-blocking F_OFD_SETLK by one JVM-wide thread, with a back-off doubling from 1 ms to 50 ms, so it
 * is granted at most about 50 ms after the holder lets go (a process waiting in the kernel's
 * F_OFD_SETLKW may get it first). {@link #close()} fails pending locks with
 * {@link AsynchronousCloseException} before it returns; cancelling one withdraws it.
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
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private final AioFile file;
    private final String fileKey;
    private final ExecutorService handlers;
    private final BouncePool bounce;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Set<PendingLock> pendingLocks = ConcurrentHashMap.newKeySet();
    private final LockSite lockSite = new ChannelLockSite();

    private KaioFileChannel(AioFile file, ExecutorService handlers) {
        this.file = file;
        this.fileKey = file.raw().fileKey();
        this.handlers = handlers;
        this.bounce = new BouncePool(file.alignment());
    }

    /**
     * Opens {@code file} like {@link AsynchronousFileChannel#open(Path, OpenOption...)}: READ, WRITE,
     * CREATE, CREATE_NEW, TRUNCATE_EXISTING, DELETE_ON_CLOSE, SPARSE, SYNC, DSYNC, NOFOLLOW_LINKS, and
     * {@code ExtendedOpenOption.DIRECT}/{@link AioOpenOption#DIRECT}; handlers run on the default pool.
     *
     * @param file    the file to open
     * @param options how to open it
     * @return the open channel, on the JVM-wide context ({@link #defaultContext()})
     * @throws UnsupportedOperationException for APPEND (as the JDK) or an unknown option; without
     *                                       native access, or on another OS or architecture (with
     *                                       the message of {@link Aio#unavailabilityCause()})
     * @throws AioException                  io_setup's EPERM or ENOSYS where a seccomp filter or the
     *                                       kernel refuses AIO (see {@link #openOrFallback})
     * @throws IOException                   if the file cannot be opened (see {@link AioFile#open})
     */
    public static KaioFileChannel open(Path file, OpenOption... options) throws IOException {
        return open(file, optionSet(options), null);
    }

    /**
     * Opens {@code file} like {@link AsynchronousFileChannel#open(Path, Set, ExecutorService,
     * FileAttribute[])}: completion handlers run on {@code executor}, or with null on a JVM-wide pool
     * that honours the JDK's {@code java.nio.channels.DefaultThreadPool.*} system properties. The file
     * attributes supported are {@code posix:permissions} and {@code unix:permissions}, applied when
     * the file is created (others: UnsupportedOperationException, as the JDK).
     *
     * @param file     the file to open
     * @param options  how to open it
     * @param executor where completion handlers run, or null for the JVM-wide default pool
     * @param attrs    {@code posix:permissions} or {@code unix:permissions} of a file that is created
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
        int mode = creationMode(attrs);
        Objects.requireNonNull(options, "options");
        if (options.contains(StandardOpenOption.APPEND)) {
            throw new UnsupportedOperationException("APPEND not allowed");
        }
        ExecutorService handlers = executor != null ? executor : DefaultHandlerPool.get();
        context.ensureOpen();
        AioFile f = AioFile.open(context, file, mode, options.toArray(OpenOption[]::new));
        return new KaioFileChannel(f, handlers);
    }

    /**
     * Opens {@code file} with kaio where Linux AIO is available, and otherwise with
     * {@link AsynchronousFileChannel#open(Path, OpenOption...)}, logging why once per JVM (System.Logger
     * "dev.kaio", WARNING, with {@link Aio#unavailabilityCause()}). Which one you got:
     * {@code instanceof KaioFileChannel}.
     *
     * {@snippet :
     * AsynchronousFileChannel ch = KaioFileChannel.openOrFallback(path, READ, WRITE);
     * if (!(ch instanceof KaioFileChannel)) {
     *     // Linux AIO is not available here; Aio.unavailabilityCause() says why
     * }
     * }
     *
     * <p>Only unavailability falls back: a kernel that has AIO but whose {@code fs.aio-max-nr} is
     * exhausted, a missing file, a bad option still throw. {@link AioOpenOption#DIRECT} becomes the
     * JDK's {@code ExtendedOpenOption.DIRECT}; {@link AioOpenOption#NOATIME} has no JDK equivalent and
     * is refused there.
     *
     * @param file    the file to open
     * @param options how to open it
     * @return kaio's channel, or the JDK's where Linux AIO is unavailable
     * @throws IOException if the file cannot be opened (by either channel)
     */
    public static AsynchronousFileChannel openOrFallback(Path file, OpenOption... options) throws IOException {
        return openOrFallback(file, optionSet(options), null, KaioFileChannel::logFallback);
    }

    /**
     * Like {@link #openOrFallback(Path, OpenOption...)} with an executor and file attributes; instead of
     * logging, {@code onFallback} receives {@link Aio#unavailabilityCause()} each time the JDK's
     * channel is returned.
     *
     * {@snippet :
     * AsynchronousFileChannel ch = KaioFileChannel.openOrFallback(path, Set.of(READ, WRITE), pool,
     *         cause -> metrics.count("aio.fallback", cause.getMessage()));
     * }
     *
     * @param file       the file to open
     * @param options    how to open it
     * @param executor   where completion handlers run, or null for the default pool
     * @param onFallback told why, each time the JDK's channel is returned
     * @param attrs      permissions of a file that is created
     * @return kaio's channel, or the JDK's where Linux AIO is unavailable
     * @throws IOException if the file cannot be opened (by either channel)
     */
    public static AsynchronousFileChannel openOrFallback(Path file, Set<? extends OpenOption> options,
            ExecutorService executor, Consumer<? super Throwable> onFallback, FileAttribute<?>... attrs)
            throws IOException {
        Objects.requireNonNull(onFallback, "onFallback");
        if (Aio.isAvailable()) {
            return open(file, options, executor, attrs);
        }
        AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, JdkOptions.of(options), executor, attrs);
        onFallback.accept(Aio.unavailabilityCause());
        return ch;
    }

    private static void logFallback(Throwable cause) {
        if (FALLBACK_LOGGED.compareAndSet(false, true)) {
            System.getLogger("dev.kaio").log(System.Logger.Level.WARNING,
                    "Linux AIO is not available, KaioFileChannel.openOrFallback opens the JDK's "
                            + "AsynchronousFileChannel instead: " + cause.getMessage());
        }
    }

    /** As AsynchronousFileChannel.open(Path, OpenOption...) collects them: duplicates allowed. */
    private static Set<OpenOption> optionSet(OpenOption... options) {
        Set<OpenOption> set = new HashSet<>(options.length);
        Collections.addAll(set, options);
        return set;
    }

    /** The permission bits of {@code posix:permissions} / {@code unix:permissions}; 0666 without. */
    @SuppressWarnings("unchecked")
    private static int creationMode(FileAttribute<?>... attrs) {
        int mode = 0666;
        for (FileAttribute<?> attr : attrs) {
            String name = attr.name();
            if (!name.equals("posix:permissions") && !name.equals("unix:permissions")) {
                throw new UnsupportedOperationException("'" + name + "' not supported as initial attribute");
            }
            mode = 0;
            for (PosixFilePermission p : (Set<PosixFilePermission>) attr.value()) {
                // OWNER_READ .. OTHERS_EXECUTE are declared in the order of the mode bits 0400 .. 0001
                mode |= 1 << (8 - Objects.requireNonNull(p).ordinal());
            }
        }
        return mode;
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
     * The underlying kaio file. Closing it makes this channel fail every operation as if closed.
     *
     * @return the file whose requests this channel submits
     */
    public AioFile aioFile() {
        return file;
    }

    // ---------------------------------------------------------------------------------- read/write

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        return transfer(false, dst, position, null, null);
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        transfer(false, dst, position, attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        return transfer(true, src, position, null, null);
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        transfer(true, src, position, attachment, handler);
    }

    /**
     * A read or write: checks as the JDK's channel does, then one request whose future (a
     * {@link ChannelFuture}) is also what the caller gets, and what calls the handler.
     */
    private Future<Integer> transfer(boolean write, ByteBuffer buffer, long position, Object attachment,
            CompletionHandler<Integer, ?> handler) {
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (write) {
            if (!file.raw().isWritable()) {
                throw new NonWritableChannelException();
            }
            Objects.requireNonNull(buffer, "src");
        } else {
            if (!file.raw().isReadable()) {
                throw new NonReadableChannelException();
            }
            if (buffer.isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
        if (!isOpen()) {
            return immediately(new ClosedChannelException(), attachment, handler);
        }
        checkExecutor();
        int remaining = buffer.remaining();
        if (remaining == 0) {
            return immediately(0, attachment, handler);
        }
        ChannelFuture result = new ChannelFuture(this, write, buffer, handler, attachment);
        int length = (int) Math.min(remaining, AioFile.MAX_TRANSFER);
        Object target;
        long address = 0;
        if (buffer.isDirect()) {
            target = buffer; // held by the request until it ends
            address = directAddress(buffer) + buffer.position();
        } else {
            BouncePool.Lease lease;
            try {
                lease = bounce.take(length);
            } catch (ClosedChannelException closedMeanwhile) {
                return immediately(new AsynchronousCloseException(), attachment, handler);
            }
            if (write) {
                lease.segment.copyFrom(MemorySegment.ofBuffer(buffer).asSlice(0, length));
            }
            result.bounce(lease);
            target = lease.segment;
        }
        // not interruptible, as the JDK's channel: the wait for a free slot ignores interrupts
        file.context().submitWith(result, file, write ? Iocbs.CMD_PWRITE : Iocbs.CMD_PREAD, AioContext.RESULT_INT,
                target, address, position, length, IoOptions.NONE);
        return result;
    }

    /**
     * The native address of a direct buffer's first byte, remembered for the buffers used recently (a
     * few per thread typically, reused request after request): MemorySegment.ofBuffer costs 72 bytes per
     * call. The table holds the buffers weakly and their addresses, which do not keep them alive.
     */
    private static long directAddress(ByteBuffer b) {
        // two places per buffer (two-way associative): a collision does not make two buffers evict each other
        int i = (System.identityHashCode(b) << 1) & (ADDRESSES.length() - 1);
        KnownAddress k = ADDRESSES.get(i);
        if (k != null && k.get() == b) {
            return k.address;
        }
        KnownAddress k2 = ADDRESSES.get(i + 1);
        if (k2 != null && k2.get() == b) {
            return k2.address;
        }
        long address = MemorySegment.ofBuffer(b.duplicate().clear()).address();
        KnownAddress known = new KnownAddress(b, address);
        // replace the one that is gone, else the older (the first place; it moves to the second)
        if (k2 == null || k2.get() == null) {
            ADDRESSES.set(i + 1, known);
        } else {
            ADDRESSES.set(i + 1, k);
            ADDRESSES.set(i, known);
        }
        return address;
    }

    private static final java.util.concurrent.atomic.AtomicReferenceArray<KnownAddress> ADDRESSES =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(1024);

    private static final class KnownAddress extends java.lang.ref.WeakReference<ByteBuffer> {
        final long address;

        KnownAddress(ByteBuffer b, long address) {
            super(b);
            this.address = address;
        }
    }

    /** An operation that ends before any request: its future, and its handler called on the executor. */
    private <V> Future<V> immediately(Object outcome, Object attachment, CompletionHandler<V, ?> handler) {
        @SuppressWarnings("unchecked")
        CompletableFuture<V> f = outcome instanceof Throwable t ? CompletableFuture.failedFuture(t)
                : CompletableFuture.completedFuture((V) outcome);
        if (handler != null) {
            @SuppressWarnings("unchecked")
            CompletionHandler<V, Object> h = (CompletionHandler<V, Object>) handler;
            dispatch(f, attachment, h);
        }
        return f;
    }

    ExecutorService handlers() {
        return handlers;
    }

    /** The failure to report: after close() any failure is an AsynchronousCloseException, as with the JDK. */
    Throwable closedOr(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return isOpen() ? cause : new AsynchronousCloseException();
    }

    /** As the JDK's channel, which hands every operation to its executor: a shut-down one refuses it. */
    private void checkExecutor() {
        if (handlers.isShutdown()) {
            throw new RejectedExecutionException("the channel's executor is shut down");
        }
    }

    private <V, A> void dispatch(CompletableFuture<V> future, A attachment, CompletionHandler<V, ? super A> handler) {
        // only the operations that do not go through a ChannelFuture (locks, immediate outcomes) come here
        future.whenComplete((v, e) -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            try {
                handlers.execute(() -> invoke(handler, v, cause, attachment));
            } catch (RejectedExecutionException rejected) {
                // the executor was shut down while the operation ran: call the handler here rather than never
                invoke(handler, v, cause, attachment);
            }
        });
    }

    private static <V, A> void invoke(CompletionHandler<V, ? super A> handler, V value, Throwable failure, A attachment) {
        if (failure == null) {
            handler.completed(value, attachment);
        } else {
            handler.failed(failure, attachment);
        }
    }

    // ---------------------------------------------------------------------------------- file

    @Override
    public long size() throws IOException {
        pin();
        try {
            return file.raw().size();
        } finally {
            file.endRequest();
        }
    }

    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        if (!file.raw().isWritable()) {
            throw new NonWritableChannelException();
        }
        pin();
        try {
            if (size < file.raw().size()) {
                file.raw().truncate(size);
            }
        } finally {
            file.endRequest();
        }
        return this;
    }

    /**
     * Keeps the descriptor open (and its number ours) until {@code file.endRequest()}.
     *
     * @throws ClosedChannelException if the channel is closed or closing
     */
    private void pin() throws ClosedChannelException {
        if (!isOpen() || !file.beginRequest()) {
            throw new ClosedChannelException();
        }
    }

    /** IOCB_CMD_FSYNC with {@code metaData}, IOCB_CMD_FDSYNC without; waits for it, ignoring interrupts. */
    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
        boolean interrupted = Thread.interrupted();
        try {
            CompletableFuture<Void> f = metaData ? file.fsync() : file.fdatasync();
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = closedOr(e.getCause());
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------------------------- locks

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
            CompletionHandler<FileLock, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        dispatch(lockImpl(position, size, shared).result(), attachment, handler);
    }

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        return lockImpl(position, size, shared);
    }

    /** Registers the range, makes the first attempt here, and leaves the rest to {@link LockRetries}. */
    private PendingLock lockImpl(long position, long size, boolean shared) {
        checkLockMode(shared);
        long length = lockLength(position, size);
        if (!isOpen()) {
            return PendingLock.failed(new ClosedChannelException());
        }
        checkLockRange(position, length);
        checkExecutor();
        FileLocks.Range range = FileLocks.register(fileKey, this, position, length);
        PendingLock request = new PendingLock(lockSite, range, shared);
        pendingLocks.add(request);
        if (!isOpen()) {
            request.abandon(new AsynchronousCloseException()); // close() may have missed it
        } else {
            request.attempt();
        }
        return request;
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        checkLockMode(shared);
        long length = lockLength(position, size);
        ensureOpen();
        checkLockRange(position, length);
        FileLocks.Range range = FileLocks.register(fileKey, this, position, length);
        boolean granted = false;
        try {
            pin();
            int ret;
            try {
                do {
                    ret = lockSite.tryLock(range, shared);
                } while (ret == -Errno.EINTR);
                if (ret == 0 && !isOpen()) {
                    lockSite.unlock(range);
                    throw new AsynchronousCloseException();
                }
            } finally {
                file.endRequest();
            }
            if (ret == 0) {
                granted = true;
                return new KaioFileLock(this, range, shared);
            }
            if (FileLocks.isBusy(ret)) {
                return null; // held by another channel or process
            }
            throw new AioException(-ret, "fcntl(F_OFD_SETLK)", file.path().toString());
        } finally {
            if (!granted) {
                FileLocks.unregister(fileKey, range);
            }
        }
    }

    /** F_UNLCK of a lock's range on the pinned descriptor; then the range leaves the table. */
    void unlock(FileLocks.Range range) throws IOException {
        pin();
        int ret;
        try {
            ret = lockSite.unlock(range);
        } finally {
            file.endRequest();
        }
        if (ret < 0) {
            throw new AioException(-ret, "fcntl(F_OFD_SETLK, F_UNLCK)", file.path().toString());
        }
        FileLocks.unregister(fileKey, range);
    }

    /** What this channel's pending lock requests act on: its pinned descriptor, the overlap table, the retries. */
    private final class ChannelLockSite implements LockSite {
        @Override
        public boolean pin() {
            return file.beginRequest();
        }

        @Override
        public void unpin() {
            file.endRequest();
        }

        @Override
        public int tryLock(FileLocks.Range range, boolean shared) {
            return FileLocks.fcntl(file.fd(), shared ? FileLocks.readLock() : FileLocks.writeLock(), range.position,
                    range.size);
        }

        @Override
        public int unlock(FileLocks.Range range) {
            return FileLocks.fcntl(file.fd(), FileLocks.unlock(), range.position, range.size);
        }

        @Override
        public FileLock granted(FileLocks.Range range, boolean shared) {
            return new KaioFileLock(KaioFileChannel.this, range, shared);
        }

        @Override
        public void withdraw(PendingLock request, FileLocks.Range range) {
            FileLocks.unregister(fileKey, range);
            forget(request);
        }

        @Override
        public void forget(PendingLock request) {
            pendingLocks.remove(request);
        }

        @Override
        public ScheduledFuture<?> retryLater(Runnable attempt, long delayMillis) {
            return LockRetries.schedule(attempt, delayMillis);
        }

        @Override
        public void closeQuietly() {
            KaioFileChannel.this.closeQuietly();
        }

        @Override
        public String path() {
            return file.path().toString();
        }
    }

    /** How many lock requests are pending: each is forgotten when it is over (tests check that none piles up). */
    int pendingLockRequests() {
        return pendingLocks.size();
    }

    private void checkLockMode(boolean shared) {
        if (shared && !file.raw().isReadable()) {
            throw new NonReadableChannelException();
        }
        if (!shared && !file.raw().isWritable()) {
            throw new NonWritableChannelException();
        }
    }

    /** As the JDK: a size of 0 means to the end of the file, however it grows. */
    private static long lockLength(long position, long size) {
        return size != 0 ? size : Long.MAX_VALUE - Math.max(0, position);
    }

    private static void checkLockRange(long position, long size) {
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        if (position + size < 0) {
            throw new IllegalArgumentException("Negative position + size");
        }
    }

    // ---------------------------------------------------------------------------------- lifecycle

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** False once {@link #close()} started, or once the underlying {@link #aioFile()} was closed. */
    @Override
    public boolean isOpen() {
        return open.get() && !file.isClosed();
    }

    /**
     * Closes the channel: new operations fail with {@link ClosedChannelException}; pending lock requests
     * fail with {@link AsynchronousCloseException} before this returns; reads and writes in flight
     * finish in the kernel (it cannot abort them) and report their outcome, a failure as
     * AsynchronousCloseException. The descriptor is closed, which releases this channel's locks, once
     * they are done, and the pooled buffers are freed when the last one comes back.
     */
    @Override
    public void close() throws IOException {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        try {
            for (PendingLock request : pendingLocks) {
                if (!request.abandon(new AsynchronousCloseException())) {
                    request.awaitOutcome(); // granted or failed a moment ago
                }
            }
            file.close();
        } finally {
            FileLocks.unregisterAll(fileKey, this);
            bounce.close();
        }
    }

    /** close() for a forceful cancel, which has no way to report a failure. */
    void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // the channel is closed; the descriptor's close(2) error has nowhere to go
        }
    }

    @Override
    public String toString() {
        return "KaioFileChannel[" + file.path() + (isOpen() ? "" : ", closed") + "]";
    }
}
