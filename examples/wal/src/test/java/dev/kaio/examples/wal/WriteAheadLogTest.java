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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Appending from many threads, in each commit mode, then recovering every record byte for byte. */
class WriteAheadLogTest {

    @ParameterizedTest
    @EnumSource(CommitMode.class)
    void recordsFromEightThreadsAreRecoveredInOrderWithTheirBytes(CommitMode mode) throws Exception {
        Path dir = TestDirs.newDirectory("wal");
        Path path = dir.resolve("log");
        int writers = 8;
        int perWriter = 250;
        long seed = 7;
        Map<Long, Long> positionOf = new ConcurrentHashMap<>(); // writer << 32 | seq -> position
        WriteAheadLog.Stats stats;
        try (WriteAheadLog log = WriteAheadLog.create(path, WalOptions.defaults().withMode(mode).withCapacity(32 << 20))) {
            assertEquals(log.capacity(), Files.size(path), "the log file is preallocated to its capacity");
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    done.add(pool.submit(() -> {
                        for (long seq = 0; seq < perWriter; seq++) {
                            positionOf.put(((long) writer << 32) | seq, log.append(DemoRecords.payload(seed, writer, seq)));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            stats = log.stats();
        }
        assertEquals(writers * perWriter, stats.records());
        assertTrue(stats.batches() >= 1 && stats.batches() <= stats.records(), stats.toString());
        if (mode != CommitMode.RWF_DSYNC) {
            assertTrue(stats.syncs() >= 1 && stats.syncs() <= stats.batches(), "one sync covers one or more batches: "
                    + stats);
        }
        long[] next = new long[writers];
        long[] last = {-1};
        LogRecovery.Result r = LogRecovery.scan(path, (position, payload) -> {
            assertTrue(position > last[0], "records come in log order");
            last[0] = position;
            assertTrue(DemoRecords.intact(seed, payload), "record at " + position + " is not what was appended");
            int w = DemoRecords.writer(payload);
            long seq = DemoRecords.seq(payload);
            assertEquals(next[w]++, seq, "writer " + w + "'s records in the order it appended them");
            assertEquals(positionOf.get(((long) w << 32) | seq), position, "the position append returned");
        });
        assertEquals(writers * perWriter, r.records(), r.toString());
        for (int w = 0; w < writers; w++) {
            assertEquals(perWriter, next[w], "records of writer " + w);
        }
        assertEquals("zeros: the end of the log", r.stopReason());
    }

    @Test
    void aFullLogRefusesTheRecordThatDoesNotFitAndKeepsTheOthers() throws Exception {
        Path path = TestDirs.newDirectory("wal-full").resolve("log");
        byte[] big = new byte[60_000];
        int appended = 0;
        try (WriteAheadLog log = WriteAheadLog.create(path, WalOptions.defaults().withCapacity(1 << 20))) {
            LogFullException full = null;
            while (full == null) {
                big[0] = (byte) appended;
                try {
                    log.append(big);
                    appended++;
                } catch (LogFullException e) {
                    full = e;
                }
            }
            assertTrue(full.getMessage().contains("is full"), full.getMessage());
            log.append(new byte[100]); // a smaller one still fits
        }
        assertTrue(appended >= 10, "only " + appended + " records of 60 KB in 1 MiB");
        LogRecovery.Result r = LogRecovery.scan(path, (p, payload) -> { });
        assertEquals(appended + 1, r.records());
    }

    @Test
    void badRecordsAndUseAfterCloseAreRefused() throws Exception {
        Path path = TestDirs.newDirectory("wal-args").resolve("log");
        WriteAheadLog log = WriteAheadLog.create(path, WalOptions.defaults());
        assertThrows(IllegalArgumentException.class, () -> log.append(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> log.append(new byte[WalOptions.defaults().maxPayload() + 1]));
        byte[] one = {42};
        long position = log.append(one);
        assertEquals(log.dataStart(), position);
        log.close();
        log.close(); // idempotent
        assertThrows(ClosedChannelException.class, () -> log.append(one));
        assertThrows(FileAlreadyExistsException.class, () -> WriteAheadLog.create(path, WalOptions.defaults()));
        List<byte[]> found = new ArrayList<>();
        LogRecovery.scan(path, (p, payload) -> found.add(payload.toArray(ValueLayout.JAVA_BYTE)));
        assertEquals(1, found.size());
        assertArrayEquals(one, found.get(0));
        assertThrows(IllegalArgumentException.class, () -> WalOptions.defaults().withWritesInFlight(0));
    }

    @Test
    void aFileThatIsNotALogIsRefusedByRecovery() throws Exception {
        Path path = TestDirs.newDirectory("wal-notalog").resolve("other");
        Files.write(path, new byte[8192]);
        LogCorruptException e = assertThrows(LogCorruptException.class, () -> LogRecovery.scan(path, (p, s) -> { }));
        assertTrue(e.getMessage().contains("not a kaio write-ahead log"), e.getMessage());
        assertThrows(IOException.class, () -> LogRecovery.scan(path.resolveSibling("missing"), (p, s) -> { }));
    }
}
