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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recovery of damaged logs: a log of 20 records (one writer, so each record is its own group commit,
 * padded to the block), then one kind of damage written over it with FileChannel. The scan must
 * return exactly the records before the damage, intact, and say where and why it stopped.
 */
class LogRecoveryTest {

    static final long SEED = 5;
    static final int RECORDS = 20;

    Path path;
    List<Long> positions;
    List<byte[]> payloads;
    int alignment;

    @BeforeEach
    void writeALog() throws Exception {
        path = TestDirs.newDirectory("recovery").resolve("log");
        positions = new ArrayList<>();
        payloads = new ArrayList<>();
        try (WriteAheadLog log = WriteAheadLog.create(path, WalOptions.defaults().withCapacity(4 << 20))) {
            alignment = log.alignment();
            for (int i = 0; i < RECORDS; i++) {
                byte[] p = DemoRecords.payload(SEED, 0, i);
                payloads.add(p);
                positions.add(log.append(p));
            }
        }
    }

    /** Scans, checks that the records found are the first {@code expected} ones, intact; returns the result. */
    private LogRecovery.Result scanExpecting(int expected) throws Exception {
        List<Long> seen = new ArrayList<>();
        LogRecovery.Result r = LogRecovery.scan(path, (position, payload) -> {
            assertTrue(DemoRecords.intact(SEED, payload), "record at " + position);
            assertEquals(seen.size(), DemoRecords.seq(payload), "records in order");
            seen.add(position);
        });
        assertEquals(positions.subList(0, expected), seen, r.toString());
        assertEquals(expected, r.records());
        return r;
    }

    private void overwrite(long position, byte[] bytes) throws Exception {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), position);
        }
    }

    private long end(int record) {
        return positions.get(record) + LogFormat.recordSize(payloads.get(record).length);
    }

    @Test
    void anUndamagedLogEndsAtItsZeros() throws Exception {
        LogRecovery.Result r = scanExpecting(RECORDS);
        assertEquals(end(RECORDS - 1), r.end());
        assertEquals("zeros: the end of the log", r.stopReason());
        assertTrue(positions.get(1) % alignment == 0, "each group commit starts on a block: " + positions);
    }

    @Test
    void aTornLastRecordIsTheEnd() throws Exception {
        int last = RECORDS - 1;
        int length = payloads.get(last).length;
        overwrite(positions.get(last) + 16 + length / 2, new byte[length - length / 2]); // its second half never written
        LogRecovery.Result r = scanExpecting(last);
        assertEquals(positions.get(last), r.stopPosition());
        assertEquals("a torn or damaged record (CRC mismatch)", r.stopReason());
        assertEquals(end(last - 1), r.end());
    }

    @Test
    void aFlippedByteStopsTheScanAtItsRecord() throws Exception {
        overwrite(positions.get(7) + 16 + 30, new byte[] {(byte) ~payloads.get(7)[30]});
        LogRecovery.Result r = scanExpecting(7);
        assertEquals("a torn or damaged record (CRC mismatch)", r.stopReason());
    }

    @Test
    void aDamagedLengthOrPositionFieldStopsTheScan() throws Exception {
        overwrite(positions.get(4) + 4, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f});
        assertEquals("a torn or damaged record (length 2147483647)", scanExpecting(4).stopReason());
        // a whole valid record copied elsewhere (a stale block) does not fit there: its position says so
        byte[] record0 = new byte[(int) LogFormat.recordSize(payloads.get(0).length)];
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.read(ByteBuffer.wrap(record0), positions.get(0));
        }
        overwrite(positions.get(4), record0);
        assertEquals("a torn or damaged record (position field " + positions.get(0) + ")", scanExpecting(4).stopReason());
    }

    @Test
    void garbageInTheZerosThatEndABatchStopsTheScan() throws Exception {
        long padding = end(2);
        assertTrue(padding % alignment != 0, "record 2 ends inside a block: " + padding);
        overwrite(padding + 3, new byte[] {1});
        LogRecovery.Result r = scanExpecting(3);
        assertEquals(padding, r.stopPosition());
        assertEquals(end(2), r.end());
    }
}
