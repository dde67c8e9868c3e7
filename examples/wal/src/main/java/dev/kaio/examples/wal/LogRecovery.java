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

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.UnalignedIo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads a log after a crash (or a clean close): every valid record from the first on, up to the end
 * of the log or its torn tail.
 *
 * <p>A record is valid when its length is in range, its position field equals its offset (so a stale
 * record of an earlier use of these blocks never fits) and its CRC32C matches. Where a record is not
 * valid but the bytes up to the next block boundary are all zeros, that is the padding that ended a
 * group commit, and the scan goes on at the boundary; otherwise it stops there. Records of a batch
 * whose write was in flight at the crash may be found whole (written, not yet acknowledged), torn (the
 * scan stops at the first damaged one) or missing.
 *
 * <p>The file is read with O_DIRECT, so what is found is what the device has, through kaio's
 * {@link UnalignedIo}: records sit at any 16-byte offset, and each read of the scan window starts at
 * the record where the last window ended.
 */
public final class LogRecovery {

    private LogRecovery() {}

    /** Receives each valid record, in log order. */
    @FunctionalInterface
    public interface RecordVisitor {
        /**
         * @param position the record's position in the log
         * @param payload  its bytes; valid only during this call
         * @throws IOException to stop the scan
         */
        void record(long position, MemorySegment payload) throws IOException;
    }

    /**
     * What a scan found.
     *
     * @param records      valid records, all passed to the visitor
     * @param end          the end of the last valid record: where the log's contents end
     * @param stopPosition where the scan stopped
     * @param stopReason   why: the zeros after the last record, a torn or damaged record, the file's end
     * @param alignment    the block size the log was written with
     * @param capacity     the log file's size
     */
    public record Result(long records, long end, long stopPosition, String stopReason, int alignment, long capacity) {}

    private static final int WINDOW = 1 << 20;

    /**
     * Scans the log at {@code path}.
     *
     * @param path    a log made by {@link WriteAheadLog#create}
     * @param visitor receives every valid record
     * @return what was found
     * @throws LogCorruptException the file is not a log, or its header is damaged
     * @throws IOException         a read failed, or the visitor threw
     */
    public static Result scan(Path path, RecordVisitor visitor) throws IOException {
        try (AioContext ctx = AioContext.open(4);
                AioFile file = AioFile.open(ctx, path, READ, AioOpenOption.DIRECT);
                UnalignedIo io = UnalignedIo.of(file)) {
            byte[] head = new byte[LogFormat.FILE_HEADER_BYTES];
            int n = IoFutures.await(io.read(MemorySegment.ofArray(head), 0));
            LogFormat.Header h = LogFormat.parseHeader(head, n, path.toString());
            return new Scan(io, h, (int) Math.max(WINDOW, LogFormat.recordSize(h.maxPayload()) + h.alignment()))
                    .run(visitor);
        }
    }

    /** One scan: a window of the file in memory, moved forward as records are read. */
    private static final class Scan {
        private final UnalignedIo io;
        private final LogFormat.Header h;
        private final byte[] window;
        private final MemorySegment windowSegment;
        private long windowStart = -1;
        private int windowLength;
        private final CRC32C crc = new CRC32C();

        Scan(UnalignedIo io, LogFormat.Header h, int windowBytes) {
            this.io = io;
            this.h = h;
            this.window = new byte[windowBytes];
            this.windowSegment = MemorySegment.ofArray(window);
        }

        /** Makes {@code [position, position + length)} available in the window; false past the file's end. */
        private boolean ensure(long position, long length) throws IOException {
            if (position >= windowStart && position + length <= windowStart + windowLength) {
                return true;
            }
            windowStart = position;
            windowLength = IoFutures.await(io.read(windowSegment, position)); // unaligned: UnalignedIo widens it
            return length <= windowLength;
        }

        Result run(RecordVisitor visitor) throws IOException {
            long p = h.dataStart();
            long end = p;
            long count = 0;
            String reason;
            while (true) {
                if (p + LogFormat.RECORD_HEADER > h.capacity() || !ensure(p, LogFormat.RECORD_HEADER)) {
                    reason = "the end of the file";
                    break;
                }
                int off = (int) (p - windowStart);
                int storedCrc = windowSegment.get(LogFormat.INT, off);
                long length = Integer.toUnsignedLong(windowSegment.get(LogFormat.INT, off + 4));
                long position = windowSegment.get(LogFormat.LONG, off + 8);
                String bad = null;
                if (length < 1 || length > h.maxPayload()) {
                    bad = "length " + length;
                } else if (position != p) {
                    bad = "position field " + position;
                } else if (p + LogFormat.recordSize(length) > h.capacity()) {
                    bad = "runs past the end of the file";
                } else if (!ensure(p, LogFormat.recordSize(length))) {
                    bad = "runs past the end of the file";
                } else {
                    off = (int) (p - windowStart);
                    crc.reset();
                    crc.update(window, off + 4, 12);
                    crc.update(window, off + LogFormat.RECORD_HEADER, (int) length);
                    if ((int) crc.getValue() != storedCrc) {
                        bad = "CRC mismatch";
                    }
                }
                if (bad == null) {
                    visitor.record(p, windowSegment.asSlice(off + LogFormat.RECORD_HEADER, length));
                    count++;
                    p += LogFormat.recordSize(length);
                    end = p;
                    continue;
                }
                long next = DirectBuffers.alignUp(p, h.alignment());
                if (next != p && zeros(p, next)) {
                    p = next; // the padding that ended a batch
                    continue;
                }
                reason = zeros(p, p + LogFormat.RECORD_HEADER) ? "zeros: the end of the log"
                        : "a torn or damaged record (" + bad + ")";
                break;
            }
            return new Result(count, end, p, reason, h.alignment(), h.capacity());
        }

        private boolean zeros(long from, long to) throws IOException {
            if (!ensure(from, to - from)) {
                return false;
            }
            for (long i = from - windowStart; i < to - windowStart; i++) {
                if (window[(int) i] != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
