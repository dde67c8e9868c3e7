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

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads and writes of any byte range of an {@link AioFile}, done with the aligned requests O_DIRECT
 * requires. O_DIRECT refuses (EINVAL) a position, a length or a buffer address that is not a
 * multiple of the file's {@link AioFile#alignment()}; this class widens the range to the aligned
 * blocks that cover it and goes through an aligned bounce buffer of its own:
 * <ul>
 * <li>{@link #read(MemorySegment, long)}: one aligned read of the covering blocks, then a copy of the
 * asked bytes into the destination, which may be any segment usable from any thread (heap, or native
 * at any address from a shared, global or automatic arena);</li>
 * <li>{@link #write(MemorySegment, long)}: <em>read-modify-write</em> of the edge blocks: the source
 * (any segment) is copied into the bounce buffer before {@code write} returns, the first and last
 * covering blocks are read when the range only partly covers them, their other bytes are merged in,
 * and the covering blocks are written back with one aligned write.</li>
 * </ul>
 * A request that is already aligned (position, length and a native buffer address) goes straight to
 * the file without a copy; so does everything on a file not opened with O_DIRECT (alignment 1) whose
 * buffer is native.
 *
 * {@snippet :
 * try (AioFile file = AioFile.open(ctx, path, READ, WRITE, AioOpenOption.DIRECT);
 *      UnalignedIo io = UnalignedIo.of(file)) {
 *     MemorySegment record = MemorySegment.ofArray("hello".getBytes(UTF_8));
 *     io.write(record, 4100).join();                          // reads [3584, 4608), writes it back
 *     byte[] back = new byte[5];
 *     int n = io.read(MemorySegment.ofArray(back), 4100).join();   // reads [3584, 4608), copies 5 bytes
 * }
 * }
 *
 * <h2>Writes are not atomic</h2>
 * A write of a range that does not start and end on block boundaries reads the edge blocks and writes
 * them back later. Whatever another writer puts in those blocks in between is overwritten with the
 * old bytes: <strong>concurrent writes that touch the same block (even different bytes of it) can lose
 * updates</strong>, whether they come through this object, another one, {@link AioFile} directly or
 * another process. Serialize writes to a block yourself. A crash (or a failed write) in the middle can
 * leave the blocks with a mix of old and new bytes, like any write that is not yet synced: sync
 * ({@link AioFile#fdatasync()}) after the returned future completes, see {@link Durability}.
 *
 * <h2>End of file</h2>
 * A read returns the number of bytes copied: fewer than asked at the end of the file, 0 past it. A
 * write past the end of the file leaves zeros between the old end and the position, as
 * {@code FileChannel} does. O_DIRECT can only write whole blocks, so a write that ends inside the last
 * block grows the file to the block boundary; kaio then truncates it to {@code position + length}
 * (ftruncate, on the thread that completes the write), unless the file has grown beyond that block in
 * the meantime (a concurrent append). A crash between the two leaves the file up to one block longer,
 * zero-filled. Block devices have a fixed size and are never truncated.
 *
 * <h2>Buffers and threads</h2>
 * A write's source may be reused (or its arena closed) as soon as {@code write} returns, unless the
 * write was already aligned and went straight to the file, when the usual rule of {@link AioFile}
 * holds (keep it until the future completes). A read's destination must stay alive until the future
 * completes, and must be accessible from the thread that completes it (not a confined arena's
 * segment): the bytes are copied there when the read completes. The bounce buffers come from a pool
 * owned by this object, aligned to the
 * file's alignment, reused from one request to the next and freed by {@link #close()} once no request
 * uses them. Thread-safe; the futures complete on the thread that collects the last request of the
 * operation (see {@link AioContext}).
 */
public final class UnalignedIo implements AutoCloseable {

    /** Never started: a thread other than the caller, to ask whether a segment is confined to the caller. */
    private static final Thread ANOTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    private final AioFile file;
    private final int alignment;
    private final BouncePool bounce;
    private volatile boolean closed;

    private UnalignedIo(AioFile file) {
        this.file = file;
        this.alignment = file.alignment();
        this.bounce = new BouncePool(alignment);
    }

    /**
     * Unaligned reads and writes of {@code file}, with the alignment it reports
     * ({@link AioFile#alignment()}). Closing the result does not close the file.
     *
     * @param file an open file, O_DIRECT or not
     * @return a new helper with an empty pool of bounce buffers
     */
    public static UnalignedIo of(AioFile file) {
        Objects.requireNonNull(file, "file");
        return new UnalignedIo(file);
    }

    /**
     * The file this helper reads and writes.
     *
     * @return the file given to {@link #of(AioFile)}
     */
    public AioFile file() {
        return file;
    }

    /**
     * The block size the requests are widened to: the file's {@link AioFile#alignment()}, 1 when it
     * was not opened with O_DIRECT.
     *
     * @return the alignment in bytes, a power of two
     */
    public int alignment() {
        return alignment;
    }

    /**
     * Reads {@code dst.byteSize()} bytes at {@code position} into {@code dst}: one aligned read of
     * {@code [alignDown(position), alignUp(position + dst.byteSize()))} into a bounce buffer, then a
     * copy of the asked bytes.
     *
     * @param dst      where the bytes go: a writable heap segment, or a native one at any address that
     *                 any thread may access (not a confined arena's: the copy is made by the thread
     *                 that completes the read)
     * @param position the file position of the first byte, at least 0
     * @return the number of bytes copied into {@code dst}: fewer at the end of the file, 0 past it;
     *         completes exceptionally with the read's {@link AioException}, or
     *         {@link ClosedChannelException} after {@link #close()} or the file's close
     * @throws IllegalArgumentException a read-only {@code dst} or one of a confined arena, a negative
     *                                  position, or a covering range longer than
     *                                  {@link AioFile#MAX_TRANSFER}
     */
    public CompletableFuture<Integer> read(MemorySegment dst, long position) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("cannot read into a read-only segment: " + dst);
        }
        if (!dst.isAccessibleBy(ANOTHER_THREAD)) {
            throw new IllegalArgumentException("the bytes are copied into dst by the thread that completes the read: "
                    + "use a heap segment or one of a shared, global or automatic arena, not a confined arena's: " + dst);
        }
        long length = dst.byteSize();
        long start = checkRange(position, length);
        if (closed) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(0);
        }
        if (dst.isNative() && isAligned(dst, position)) {
            return file.read(dst, position);
        }
        long end = DirectBuffers.alignUp(position + length, alignment);
        BouncePool.Lease lease;
        try {
            lease = bounce.take(end - start);
        } catch (ClosedChannelException e) {
            return CompletableFuture.failedFuture(e); // closed meanwhile
        }
        CompletableFuture<Integer> read;
        try {
            read = file.read(lease.segment, start);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        int skip = (int) (position - start);
        return read.handle((n, failure) -> {
            try {
                if (failure != null) {
                    throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
                }
                int copied = (int) Math.max(0, Math.min(length, (long) n - skip));
                MemorySegment.copy(lease.segment, skip, dst, 0, copied);
                return copied;
            } finally {
                lease.close(); // the kernel is done with it: the read completed
            }
        });
    }

    /**
     * Writes all of {@code src} at {@code position}: the edge blocks that the range covers only in
     * part are read first (both at once), the bytes are copied in, and the covering blocks are written
     * with one aligned write. <strong>Not atomic</strong>: see the class description.
     *
     * @param src      the bytes to write: any segment, heap or native, any address; copied before this
     *                 method returns unless the request is aligned (see the class description)
     * @param position the file position of the first byte, at least 0
     * @return the number of bytes of {@code src} written (all of them unless the device or filesystem
     *         wrote less, e.g. on ENOSPC); completes exceptionally with the failing request's
     *         {@link AioException}, or {@link ClosedChannelException} after {@link #close()} or the
     *         file's close
     * @throws IllegalArgumentException a negative position, or a covering range longer than
     *                                  {@link AioFile#MAX_TRANSFER}
     * @throws NonWritableChannelException the file was not opened for writing
     * @throws NonReadableChannelException the file was not opened for reading and edge blocks would
     *                                     have to be read
     */
    public CompletableFuture<Integer> write(MemorySegment src, long position) {
        Objects.requireNonNull(src, "src");
        long length = src.byteSize();
        long start = checkRange(position, length);
        if (!file.raw().isWritable()) {
            throw new NonWritableChannelException();
        }
        if (closed) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(0);
        }
        if (src.isNative() && isAligned(src, position)) {
            return file.write(src, position);
        }
        long end = DirectBuffers.alignUp(position + length, alignment);
        int span = (int) (end - start);
        long lastBlock = end - alignment;
        boolean headPartial = position != start;
        boolean tailPartial = position + length != end;
        boolean tailOwnRead = tailPartial && (lastBlock != start || !headPartial);
        if ((headPartial || tailPartial) && !file.raw().isReadable()) {
            throw new NonReadableChannelException(); // the edge blocks have to be read first
        }
        // The bounce buffer: the covering blocks as they will be written, then a scratch block for each
        // edge read. The caller's bytes are copied in now, on the caller's thread (so src may be reused,
        // and may belong to a confined arena); the edge bytes are merged in when the reads complete.
        int scratch = (headPartial ? alignment : 0) + (tailOwnRead ? alignment : 0);
        BouncePool.Lease lease;
        try {
            lease = bounce.take(span + scratch);
        } catch (ClosedChannelException e) {
            return CompletableFuture.failedFuture(e); // closed meanwhile
        }
        MemorySegment image = lease.segment.asSlice(0, span);
        MemorySegment headBlock = headPartial ? lease.segment.asSlice(span, alignment) : null;
        MemorySegment tailBlock = tailOwnRead ? lease.segment.asSlice(span + scratch - alignment, alignment) : null;
        try {
            MemorySegment.copy(src, 0, image, position - start, length);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        CompletableFuture<Integer> head;
        CompletableFuture<Integer> tail;
        try {
            head = headPartial ? file.read(headBlock, start) : null;
        } catch (RuntimeException e) {
            lease.close(); // refused before submission: nothing in flight
            throw e;
        }
        try {
            tail = tailOwnRead ? file.read(tailBlock, lastBlock) : null;
        } catch (RuntimeException e) {
            if (head != null) {
                head.whenComplete((n, f) -> lease.close()); // the head read still uses the buffer
            } else {
                lease.close();
            }
            throw e;
        }
        CompletableFuture<Void> edges = head == null && tail == null ? CompletableFuture.completedFuture(null)
                : head == null ? tail.thenAccept(n -> { })
                : tail == null ? head.thenAccept(n -> { })
                : CompletableFuture.allOf(head, tail); // waits for both even if one fails: the buffer is theirs
        int headKeep = (int) (position - start);                   // bytes of the first block before the range
        int tailFrom = (int) (position + length - lastBlock);      // first byte of the last block after the range
        CompletableFuture<Integer> done = edges.thenCompose(ignored -> {
            long sizeAfter = -1; // the size the file must have after the write, when the write extends it
            if (headPartial) {
                int n = head.join();
                merge(headBlock, n, image, 0, 0, headKeep);
                if (lastBlock == start && tailPartial) { // one block: its read also holds the bytes after the range
                    merge(headBlock, n, image, 0, tailFrom, alignment);
                }
                if (lastBlock == start && n < alignment) {
                    sizeAfter = Math.max(start + n, position + length);
                }
            }
            if (tailOwnRead) {
                int n = tail.join();
                merge(tailBlock, n, image, span - alignment, tailFrom, alignment);
                if (n < alignment) {
                    sizeAfter = Math.max(lastBlock + n, position + length);
                }
            }
            long truncateTo = sizeAfter;
            return file.write(image, start).thenApply(n -> {
                if (truncateTo >= 0 && truncateTo < end && n == span) {
                    shrinkIfStillAt(end, truncateTo);
                }
                return (int) Math.max(0, Math.min(length, (long) n - headKeep));
            });
        });
        return done.whenComplete((n, failure) -> lease.close());
    }

    /**
     * Puts bytes {@code [from, to)} of a block that an edge read returned {@code n} bytes of into the
     * image (at {@code blockOffset}): what the read found, zeros past the end of the file.
     */
    private static void merge(MemorySegment block, int n, MemorySegment image, long blockOffset, int from, int to) {
        int found = Math.max(from, Math.min(n, to));
        MemorySegment.copy(block, from, image, blockOffset + from, found - from);
        image.asSlice(blockOffset + found, to - found).fill((byte) 0);
    }

    /** The write grew the file to a block boundary: back to what a FileChannel write would leave. */
    private void shrinkIfStillAt(long blockEnd, long size) {
        if (file.raw().isBlockDevice()) {
            return;
        }
        try {
            if (file.size() == blockEnd) { // nobody appended beyond our block meanwhile
                file.raw().truncate(size);
            }
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    private boolean isAligned(MemorySegment segment, long position) {
        return alignment == 1 || (DirectBuffers.isAligned(position, alignment)
                && DirectBuffers.isAligned(segment.byteSize(), alignment)
                && DirectBuffers.isAligned(segment.address(), alignment));
    }

    /** Checks the arguments; returns the aligned start of the covering range. */
    private long checkRange(long position, long length) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (position + length < 0) {
            throw new IllegalArgumentException("position + length overflows: " + position + " + " + length);
        }
        long start = DirectBuffers.alignDown(position, alignment);
        long end = DirectBuffers.alignUp(position + length, alignment);
        if (end - start > AioFile.MAX_TRANSFER) {
            throw new IllegalArgumentException("the aligned range [" + start + ", " + end + ") is longer than one "
                    + "transfer (" + AioFile.MAX_TRANSFER + " bytes): split the request");
        }
        return start;
    }

    /**
     * Frees the bounce buffers once no request uses them; later requests complete with
     * {@link ClosedChannelException}. Does not close the file. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        bounce.close();
    }

    @Override
    public String toString() {
        return "UnalignedIo[" + file + ", alignment " + alignment + (closed ? ", closed" : "") + "]";
    }
}
