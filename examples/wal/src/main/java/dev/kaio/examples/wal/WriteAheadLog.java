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
package dev.kaio.examples.wal;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * A write-ahead log with group commit, on kaio's public API.
 *
 * {@snippet :
 * try (WriteAheadLog log = WriteAheadLog.create(path, WalOptions.defaults())) {
 *     long position = log.append(MemorySegment.ofArray(record));   // returns once the record is durable
 * }
 * LogRecovery.Result r = LogRecovery.scan(path, (position, payload) -> replay(payload));
 * }
 *
 * <p>Any number of threads call {@link #append}. Each copies its record (a CRC32C header and the
 * payload, see {@link LogFormat}) into an in-memory ring under a lock and waits; one committer thread
 * takes everything appended since the last batch, pads it to the next O_DIRECT block, and writes it
 * as one aligned PWRITEV at its place in the preallocated, zero-filled log file. A record is
 * acknowledged ({@code append} returns) only once its batch is durable: with
 * {@link CommitMode#PWRITEV_FDSYNC}, when an FDSYNC submitted after the batch's write completed has
 * completed; with {@link CommitMode#RWF_DSYNC}, when the write itself (flagged RWF_DSYNC) has completed.
 * The committer keeps up to {@link WalOptions#writesInFlight()} batch writes in flight, so the next
 * batch is on its way while the current one is being synced. {@link CommitMode#FILE_CHANNEL} is the
 * same log written with {@code FileChannel.write} and {@code force(false)}, one batch at a time, the
 * baseline kaio's benchmark compares with.
 *
 * <p>A log file is written by one {@code WriteAheadLog} only, once: after a crash,
 * {@link LogRecovery#scan} reads it, and new records go to a new log. (Appending after the recovered
 * end would need the stale tail beyond it erased first.) Thread-safe.
 */
public final class WriteAheadLog implements AutoCloseable {

    private final Path path;
    private final WalOptions options;
    private final int alignment;
    private final long capacity;
    private final long dataStart;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ring;
    private final long ringSize;
    private final ByteBuffer ringView;      // for the CRC; used under the lock only
    private final CRC32C crc = new CRC32C(); // under the lock only

    // everything below is guarded by lock
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled for the committer: records appended, a request completed, closing. */
    final Condition committerWake = lock.newCondition();
    private final Condition durableAdvanced = lock.newCondition();
    private final Condition spaceFreed = lock.newCondition();
    private long appended;   // end of the last appended record
    private long sealed;     // end of the last batch handed to the committer (block-aligned)
    private long reclaimed;  // ring space before this position may be reused: its write completed
    private long durable;    // everything before this position is durable
    private IOException failure;
    private boolean closing;
    private long records;
    private long batches;
    private long syncs;
    private long paddingBytes;

    private final AioContext context;
    private final AioFile file;
    private final FileChannel channel;
    private final Thread committer;
    private boolean closed; // guarded by this (close)

    private WriteAheadLog(Path path, WalOptions options, LogFiles.Created created) throws IOException {
        this.path = path;
        this.options = options;
        this.alignment = created.alignment();
        this.capacity = created.capacity();
        this.dataStart = created.dataStart();
        this.ring = arena.allocate(options.ringBytes(), Math.max(alignment, 4096));
        this.ringSize = ring.byteSize();
        this.ringView = ring.asByteBuffer();
        this.appended = dataStart;
        this.sealed = dataStart;
        this.reclaimed = dataStart;
        this.durable = dataStart;
        AioContext ctx = null;
        AioFile aio = null;
        FileChannel fc = null;
        try {
            if (options.mode() == CommitMode.FILE_CHANNEL) {
                fc = FileChannel.open(path, READ, WRITE);
            } else {
                // eventfd mode: no reaper thread; the committer collects its completions itself (KaioCommitter)
                ctx = AioContext.open(options.writesInFlight() + 2, AioContext.Options.defaults().eventFd());
                aio = AioFile.open(ctx, path, READ, WRITE, AioOpenOption.DIRECT);
            }
        } catch (IOException | RuntimeException e) {
            if (ctx != null) {
                ctx.close();
            }
            arena.close();
            throw e;
        }
        this.context = ctx;
        this.file = aio;
        this.channel = fc;
        Runnable loop = fc != null ? new FileChannelCommitter(this, fc)
                : new KaioCommitter(this, ctx, aio, options.mode(), options.writesInFlight());
        this.committer = Thread.ofPlatform().name("wal-committer " + path.getFileName()).unstarted(loop);
    }

    /**
     * Creates a new log at {@code path} (which must not exist): preallocated and zero-filled to the
     * capacity, its name made durable, and its committer thread started.
     *
     * @param path    where the log file goes (not on tmpfs if it must survive a power loss)
     * @param options how it is laid out and committed
     * @return the open log
     * @throws java.nio.file.FileAlreadyExistsException if {@code path} exists
     * @throws IOException                              if it cannot be created or written
     */
    public static WriteAheadLog create(Path path, WalOptions options) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        LogFiles.Created created;
        try (AioContext formatting = AioContext.open(8)) {
            created = LogFiles.create(formatting, path, options.capacity(), options.maxPayload());
        }
        WriteAheadLog log = new WriteAheadLog(path, options, created);
        log.committer.start();
        return log;
    }

    /**
     * Appends one record and waits until it is durable.
     *
     * @param payload the record's bytes: 1 to {@link WalOptions#maxPayload()} bytes, any segment
     *                (copied before this method waits)
     * @return the record's position in the log
     * @throws LogFullException       it does not fit in the log's capacity
     * @throws LogFailedException     a write or sync failed: the record may not be durable
     * @throws ClosedChannelException the log is closed (or closing)
     */
    public long append(MemorySegment payload) throws IOException {
        long length = payload.byteSize();
        if (length < 1 || length > options.maxPayload()) {
            throw new IllegalArgumentException("a record has 1 to " + options.maxPayload() + " bytes: " + length);
        }
        long size = LogFormat.recordSize(length);
        lock.lock();
        try {
            while (true) {
                if (failure != null) {
                    throw new LogFailedException("the log failed before this record was appended", failure);
                }
                if (closing) {
                    throw new ClosedChannelException();
                }
                if (appended + size > capacity) {
                    throw new LogFullException(path + " is full: a record of " + length + " bytes does not fit in "
                            + (capacity - appended) + " bytes left of " + capacity);
                }
                // room for the record and for the padding that ends its batch
                if (appended + size + alignment - reclaimed <= ringSize) {
                    break;
                }
                spaceFreed.awaitUninterruptibly();
            }
            long position = appended;
            put(position, payload, length, size);
            appended = position + size;
            records++;
            committerWake.signal();
            long end = position + size;
            while (durable < end) {
                if (failure != null) {
                    throw new LogFailedException("the log failed before the record at " + position + " was durable",
                            failure);
                }
                durableAdvanced.awaitUninterruptibly();
            }
            return position;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #append(MemorySegment)} of a byte array. */
    public long append(byte[] payload) throws IOException {
        return append(MemorySegment.ofArray(payload));
    }

    /** Copies a record into the ring at its log position (header first, then the payload, wrapping). */
    private void put(long position, MemorySegment payload, long length, long size) {
        long off = position % ringSize; // a multiple of 16: the header never wraps
        ring.set(LogFormat.INT, off + 4, (int) length);
        ring.set(LogFormat.LONG, off + 8, position);
        copyIn(payload, position + LogFormat.RECORD_HEADER, length);
        zero(position + LogFormat.RECORD_HEADER + length, size - LogFormat.RECORD_HEADER - length);
        crc.reset();
        crcOf(position + 4, 12);
        crcOf(position + LogFormat.RECORD_HEADER, length);
        ring.set(LogFormat.INT, off, (int) crc.getValue());
    }

    private void copyIn(MemorySegment src, long position, long length) {
        long off = position % ringSize;
        long first = Math.min(length, ringSize - off);
        MemorySegment.copy(src, 0, ring, off, first);
        if (first < length) {
            MemorySegment.copy(src, first, ring, 0, length - first);
        }
    }

    private void zero(long position, long length) {
        long off = position % ringSize;
        long first = Math.min(length, ringSize - off);
        ring.asSlice(off, first).fill((byte) 0);
        if (first < length) {
            ring.asSlice(0, length - first).fill((byte) 0);
        }
    }

    private void crcOf(long position, long length) {
        long off = position % ringSize;
        long first = Math.min(length, ringSize - off);
        ringView.clear().position((int) off).limit((int) (off + first));
        crc.update(ringView);
        if (first < length) {
            ringView.clear().position(0).limit((int) (length - first));
            crc.update(ringView);
        }
    }

    // ----------------------------------------------------------------- for the committers (lock held)

    /** A batch: the log range {@code [start, end)}, both multiples of the alignment. */
    record Batch(long start, long end) {
        long length() {
            return end - start;
        }
    }

    boolean hasUnsealed() {
        return appended > sealed;
    }

    /** Ends the current batch: pads it with zeros to the next block and hands it over. */
    Batch seal() {
        long start = sealed;
        long end = DirectBuffers.alignUp(appended, alignment);
        zero(appended, end - appended);
        paddingBytes += end - appended;
        appended = end;
        sealed = end;
        batches++;
        return new Batch(start, end);
    }

    /** The ring memory of a batch: one slice, or two where it wraps (both aligned). */
    List<MemorySegment> segments(Batch b) {
        long off = b.start() % ringSize;
        long first = Math.min(b.length(), ringSize - off);
        return first == b.length() ? List.of(ring.asSlice(off, first))
                : List.of(ring.asSlice(off, first), ring.asSlice(0, b.length() - first));
    }

    /** The written batches up to {@code end} are on the device: their ring space may be reused. */
    void reclaimed(long end) {
        if (end > reclaimed) {
            reclaimed = end;
            spaceFreed.signalAll();
        }
    }

    /** Everything before {@code end} is durable: acknowledge it. */
    void durable(long end) {
        if (end > durable) {
            durable = end;
            durableAdvanced.signalAll();
        }
    }

    long durablePositionLocked() {
        return durable;
    }

    void synced() {
        syncs++;
    }

    void fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        durableAdvanced.signalAll();
        spaceFreed.signalAll();
        committerWake.signalAll();
    }

    boolean failed() {
        return failure != null;
    }

    boolean closing() {
        return closing;
    }

    // ----------------------------------------------------------------- public state

    /** The log file. */
    public Path path() {
        return path;
    }

    /** The O_DIRECT block size batches are padded to. */
    public int alignment() {
        return alignment;
    }

    /** The log file's size: the most it can hold, with its header block. */
    public long capacity() {
        return capacity;
    }

    /** Where the first record is. */
    public long dataStart() {
        return dataStart;
    }

    /** Counters, for the demo and the benchmark. */
    public record Stats(long records, long batches, long syncs, long durableBytes, long paddingBytes) {}

    /** What has been appended and committed so far. */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(records, batches, syncs, durable - dataStart, paddingBytes);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Commits what was appended, stops the committer and closes the file. Appends waiting for
     * durability still get it; later appends fail with {@link ClosedChannelException}.
     *
     * @throws LogFailedException if a write or sync failed while the log was open
     * @throws IOException        if closing the file failed
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        lock.lock();
        try {
            closing = true;
            committerWake.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (committer.isAlive()) {
            try {
                committer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            if (file != null) {
                file.close();   // the committer waited for its requests; nothing is in flight
                context.close();
            } else {
                channel.close();
            }
        } finally {
            arena.close();      // after the requests that used the ring
        }
        lock.lock();
        try {
            if (failure != null) {
                throw new LogFailedException("the log " + path + " failed", failure);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "WriteAheadLog[" + path + ", " + options.mode() + ", alignment " + alignment + "]";
    }
}
