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

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk format of the log.
 *
 * <pre>
 * block 0 (the file header, {@link #HEADER_BLOCK} bytes, written once when the log is created):
 *   0  8 bytes  magic "KAIOWAL1"
 *   8  u32      format version (1)
 *  12  u32      alignment: the O_DIRECT block size the writer padded batches to
 *  16  u64      capacity: the file's size; records never go beyond it
 *  24  u64      data start: where the first record is (a multiple of the alignment)
 *  32  u32      largest payload a record may have
 *  36  u32      CRC32C of bytes [0, 36)
 *
 * then records, back to back, each at a multiple of 16:
 *   0  u32      CRC32C of bytes [4, 16) of the header, then of the payload
 *   4  u32      payload length, 1 .. largest payload
 *   8  u64      position: the file offset of this record (so a stale record elsewhere never fits)
 *  16  payload, then zeros up to a multiple of 16
 * </pre>
 *
 * Each group commit ends on a block boundary (O_DIRECT writes whole blocks): the committer fills the
 * rest of the last block with zeros, and the next batch starts on the next block. Recovery reads
 * records from the data start while each is valid (length in range, position equal to its offset,
 * CRC matching); at an invalid one it skips zeros up to the next block boundary (the padding) and
 * goes on if a valid record is there, otherwise it stops: that is the end of the log, or its torn tail.
 * All integers are little-endian.
 */
final class LogFormat {

    static final int RECORD_HEADER = 16;
    static final int RECORD_ALIGN = 16;
    static final int HEADER_BLOCK = 4096;
    static final int VERSION = 1;
    static final byte[] MAGIC = "KAIOWAL1".getBytes(StandardCharsets.US_ASCII);
    static final int FILE_HEADER_BYTES = 40;

    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LogFormat() {}

    /** Bytes a record with this payload takes in the log. */
    static long recordSize(long payloadLength) {
        return RECORD_HEADER + ((payloadLength + RECORD_ALIGN - 1) & -RECORD_ALIGN);
    }

    /** The file header, as {@link #FILE_HEADER_BYTES} bytes. */
    static byte[] fileHeader(int alignment, long capacity, long dataStart, int maxPayload) {
        byte[] h = new byte[FILE_HEADER_BYTES];
        MemorySegment s = MemorySegment.ofArray(h);
        MemorySegment.copy(MAGIC, 0, s, ValueLayout.JAVA_BYTE, 0, MAGIC.length);
        s.set(INT, 8, VERSION);
        s.set(INT, 12, alignment);
        s.set(LONG, 16, capacity);
        s.set(LONG, 24, dataStart);
        s.set(INT, 32, maxPayload);
        CRC32C crc = new CRC32C();
        crc.update(h, 0, 36);
        s.set(INT, 36, (int) crc.getValue());
        return h;
    }

    /** What a log's file header says. */
    record Header(int alignment, long capacity, long dataStart, int maxPayload) {}

    /** Parses a file header, or explains why these bytes are not one. */
    static Header parseHeader(byte[] h, int length, String file) throws LogCorruptException {
        if (length < FILE_HEADER_BYTES) {
            throw new LogCorruptException(file + ": too short for a log header (" + length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (h[i] != MAGIC[i]) {
                throw new LogCorruptException(file + ": not a kaio write-ahead log (no KAIOWAL1 magic)");
            }
        }
        MemorySegment s = MemorySegment.ofArray(h);
        CRC32C crc = new CRC32C();
        crc.update(h, 0, 36);
        if (s.get(INT, 36) != (int) crc.getValue()) {
            throw new LogCorruptException(file + ": the log header's CRC does not match");
        }
        if (s.get(INT, 8) != VERSION) {
            throw new LogCorruptException(file + ": log format version " + s.get(INT, 8) + ", this reader knows " + VERSION);
        }
        return new Header(s.get(INT, 12), s.get(LONG, 16), s.get(LONG, 24), s.get(INT, 32));
    }
}
