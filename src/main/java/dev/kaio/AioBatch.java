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

import dev.kaio.internal.core.Request;
import dev.kaio.internal.core.RequestFuture;
import dev.kaio.internal.sys.Iocbs;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Several requests, on any files of one {@link AioContext}, prepared by one thread and submitted
 * together: one {@code io_submit} for all of them when the context has that many free slots (otherwise
 * as few calls as the free slots allow). Each request gets its own future (or handler call), exactly as
 * when submitted alone.
 *
 * {@snippet :
 * try (AioBatch batch = ctx.newBatch()) {
 *     CompletableFuture<Integer> a = batch.read(data, pageA, 8192L * 7);
 *     CompletableFuture<Integer> b = batch.read(data, pageB, 8192L * 42);
 *     CompletableFuture<Long> log = batch.writev(wal, List.of(header, record), tail);
 *     batch.submit();                       // one io_submit for the three
 *     a.join(); b.join(); log.join();
 * }
 * }
 *
 * <p>A batch belongs to the thread that prepares it (it is not thread-safe itself); any number of
 * threads may use batches of the same context at once. Prepared requests are checked like single ones
 * (bad arguments throw at once) and counted in on their files at {@link #submit()}: a request whose file
 * was closed in between fails alone with {@link java.nio.channels.ClosedChannelException}. The futures of
 * prepared requests complete only after {@link #submit()}; {@link #close()} fails those never submitted
 * with a {@link CancellationException}. A batch can be reused after {@code submit()}. It holds at most
 * the context's queue depth of requests.
 */
public final class AioBatch implements AutoCloseable {

    private final AioContext context;
    private Request[] specs = new Request[8];
    private RequestFuture<?>[] futures = new RequestFuture<?>[8];
    private int size;

    AioBatch(AioContext context) {
        this.context = context;
    }

    /**
     * Requests prepared and not yet submitted.
     *
     * @return how many
     */
    public int size() {
        return size;
    }

    /**
     * Prepares a read (IOCB_CMD_PREAD) of {@code dst.byteSize()} bytes at {@code position}.
     *
     * @param file     the file (of this batch's context)
     * @param dst      where to read into
     * @param position the file offset
     * @return completes with the bytes read, after {@link #submit()}
     */
    public CompletableFuture<Integer> read(AioFile file, MemorySegment dst, long position) {
        return read(file, dst, position, IoOptions.NONE);
    }

    /**
     * Prepares a read with per-request options.
     *
     * @param file     the file (of this batch's context)
     * @param dst      where to read into
     * @param position the file offset
     * @param options  flags, priority, where it completes
     * @return completes with the bytes read, after {@link #submit()}
     */
    public CompletableFuture<Integer> read(AioFile file, MemorySegment dst, long position, IoOptions options) {
        checkFile(file).checkRead(dst, position, options);
        return add(file, Iocbs.CMD_PREAD, AioContext.RESULT_INT, dst, position, dst.byteSize(), options, null, null);
    }

    /**
     * Prepares a write (IOCB_CMD_PWRITE) of all of {@code src} at {@code position}.
     *
     * @param file     the file (of this batch's context)
     * @param src      what to write
     * @param position the file offset
     * @return completes with the bytes written, after {@link #submit()}
     */
    public CompletableFuture<Integer> write(AioFile file, MemorySegment src, long position) {
        return write(file, src, position, IoOptions.NONE);
    }

    /**
     * Prepares a write with per-request options.
     *
     * @param file     the file (of this batch's context)
     * @param src      what to write
     * @param position the file offset
     * @param options  flags, priority, where it completes
     * @return completes with the bytes written, after {@link #submit()}
     */
    public CompletableFuture<Integer> write(AioFile file, MemorySegment src, long position, IoOptions options) {
        checkFile(file).checkWrite(src, position, options);
        return add(file, Iocbs.CMD_PWRITE, AioContext.RESULT_INT, src, position, src.byteSize(), options, null, null);
    }

    /**
     * Prepares a vectored read (IOCB_CMD_PREADV) into {@code dsts} in order.
     *
     * @param file     the file (of this batch's context)
     * @param dsts     where to read into, 1 to IOV_MAX segments
     * @param position the file offset
     * @return completes with the total read, after {@link #submit()}
     */
    public CompletableFuture<Long> readv(AioFile file, List<MemorySegment> dsts, long position) {
        List<MemorySegment> copy = checkFile(file).checkReadv(dsts, position, IoOptions.NONE);
        return add(file, Iocbs.CMD_PREADV, AioContext.RESULT_LONG, copy, position, AioFile.total(copy), IoOptions.NONE,
                null, null);
    }

    /**
     * Prepares a vectored write (IOCB_CMD_PWRITEV) of {@code srcs} in order.
     *
     * @param file     the file (of this batch's context)
     * @param srcs     what to write, 1 to IOV_MAX segments
     * @param position the file offset
     * @return completes with the total written, after {@link #submit()}
     */
    public CompletableFuture<Long> writev(AioFile file, List<MemorySegment> srcs, long position) {
        List<MemorySegment> copy = checkFile(file).checkWritev(srcs, position, IoOptions.NONE);
        return add(file, Iocbs.CMD_PWRITEV, AioContext.RESULT_LONG, copy, position, AioFile.total(copy), IoOptions.NONE,
                null, null);
    }

    /**
     * Prepares an IOCB_CMD_FDSYNC. It covers the writes that completed before the batch is submitted,
     * not those submitted with it (the kernel may run them in any order).
     *
     * @param file the file (of this batch's context)
     * @return completes when the data is durable, after {@link #submit()}
     */
    public CompletableFuture<Void> fdatasync(AioFile file) {
        checkFile(file);
        return add(file, Iocbs.CMD_FDSYNC, AioContext.RESULT_VOID, null, 0, 0, IoOptions.NONE, null, null);
    }

    /**
     * Prepares an IOCB_CMD_FSYNC (same caveat as {@link #fdatasync(AioFile)}).
     *
     * @param file the file (of this batch's context)
     * @return completes when data and metadata are durable, after {@link #submit()}
     */
    public CompletableFuture<Void> fsync(AioFile file) {
        checkFile(file);
        return add(file, Iocbs.CMD_FSYNC, AioContext.RESULT_VOID, null, 0, 0, IoOptions.NONE, null, null);
    }

    /**
     * Prepares a read whose end is reported to {@code handler} with {@code attachment} (no future).
     *
     * @param file       the file (of this batch's context)
     * @param dst        where to read into
     * @param position   the file offset
     * @param options    flags, priority, where the handler runs
     * @param attachment given back to the handler
     * @param handler    called once, after {@link #submit()}
     * @param <A>        the attachment's type
     */
    public <A> void read(AioFile file, MemorySegment dst, long position, IoOptions options, A attachment,
            AioHandler<? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        checkFile(file).checkRead(dst, position, options);
        add(file, Iocbs.CMD_PREAD, AioContext.RESULT_INT, dst, position, dst.byteSize(), options, attachment, handler);
    }

    /**
     * Prepares a write whose end is reported to {@code handler} with {@code attachment} (no future).
     *
     * @param file       the file (of this batch's context)
     * @param src        what to write
     * @param position   the file offset
     * @param options    flags, priority, where the handler runs
     * @param attachment given back to the handler
     * @param handler    called once, after {@link #submit()}
     * @param <A>        the attachment's type
     */
    public <A> void write(AioFile file, MemorySegment src, long position, IoOptions options, A attachment,
            AioHandler<? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        checkFile(file).checkWrite(src, position, options);
        add(file, Iocbs.CMD_PWRITE, AioContext.RESULT_INT, src, position, src.byteSize(), options, attachment,
                handler);
    }

    private AioFile checkFile(AioFile file) {
        Objects.requireNonNull(file, "file");
        if (file.context() != context) {
            throw new IllegalArgumentException("the file belongs to another context: " + file);
        }
        if (size == context.queueDepth()) {
            throw new IllegalStateException("a batch holds at most the context's queue depth ("
                    + context.queueDepth() + ") of requests: submit() first");
        }
        return file;
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> add(AioFile file, short opcode, byte kind, Object buffers, long position,
            long length, IoOptions options, Object attachment, Object handler) {
        if (size == specs.length) {
            specs = java.util.Arrays.copyOf(specs, size * 2);
            futures = java.util.Arrays.copyOf(futures, size * 2);
        }
        Request spec = specs[size];
        if (spec == null) {
            spec = new Request();
            specs[size] = spec;
        }
        context.describeForBatch(spec, file, file.fd(), opcode, kind, buffers, position, length, options);
        spec.handler = handler;
        spec.attachment = attachment;
        RequestFuture<T> f = handler == null ? context.newFuture(file) : null;
        futures[size] = f;
        size++;
        return f;
    }

    /**
     * Submits every prepared request, with one io_submit if the context has that many free slots (else
     * waiting for slots like a single submission, and submitting as they free up). The batch is then
     * empty, ready for reuse.
     */
    public void submit() {
        int n = size;
        size = 0;
        if (n == 0) {
            return;
        }
        try {
            context.submitAll(specs, futures, n);
        } finally {
            for (int i = 0; i < n; i++) {
                specs[i].clear();
                futures[i] = null;
            }
        }
    }

    /** Fails the requests prepared and never submitted, with a {@link CancellationException}. */
    @Override
    public void close() {
        int n = size;
        size = 0;
        for (int i = 0; i < n; i++) {
            context.abandon(specs[i], futures[i], new CancellationException("the batch was closed before submit()"));
            specs[i].clear();
            futures[i] = null;
        }
    }
}
