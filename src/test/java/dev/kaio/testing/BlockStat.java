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
package dev.kaio.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The block layer's I/O counters of one disk, {@code /sys/block/NAME/stat}. The fields are those of
 * the kernel's Documentation/block/stat.rst: 1 read I/Os, 2 read merges, 3 read sectors, 4 read
 * ticks, 5 write I/Os, 6 write merges, 7 write sectors, 8 write ticks, 9 in_flight, 10 io_ticks,
 * 11 time_in_queue, 12-15 discard I/Os/merges/sectors/ticks, 16 flush I/Os, 17 flush ticks. The
 * flush fields exist since Linux 5.5.
 */
public final class BlockStat {

    /** "flush I/Os": flush requests completed by the disk (field 16, index 15). */
    static final int FLUSH_IOS = 15;
    static final int WRITE_IOS = 4;

    private final Path stat;

    private BlockStat(Path stat) {
        this.stat = stat;
    }

    /** The counters of the disk whose node is {@code device} (e.g. /dev/loop3 -> /sys/block/loop3/stat). */
    public static BlockStat of(Path device) {
        return new BlockStat(Path.of("/sys/block", device.getFileName().toString(), "stat"));
    }

    /** Whether this kernel reports flush counters (Linux 5.5+: 17 fields). */
    public boolean hasFlushCounters() throws IOException {
        return fields().length >= 17;
    }

    /** Flush requests the disk has completed. */
    public long flushes() throws IOException {
        return fields()[FLUSH_IOS];
    }

    /** Write requests the disk has completed. */
    public long writes() throws IOException {
        return fields()[WRITE_IOS];
    }

    private long[] fields() throws IOException {
        String[] f = Files.readString(stat).trim().split("\\s+");
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Long.parseLong(f[i]);
        }
        return out;
    }

    /**
     * The disk's {@code queue/write_cache}: "write back" when it has a volatile cache, so that the
     * block layer passes flushes (and FUA, as a flush after the write) down to it; with "write
     * through" it completes them without reaching the driver, and they are not counted.
     */
    public String writeCache() throws IOException {
        return Files.readString(writeCacheFile()).trim();
    }

    /**
     * Clears a "write through" override someone wrote into {@code queue/write_cache} (it outlives
     * losetup -d, so a reused loop device can carry it); the driver's own report is then back. Only
     * for the test's own device.
     */
    public String restoreWriteCache() throws IOException {
        if (!writeCache().equals("write back")) {
            Files.writeString(writeCacheFile(), "write back");
        }
        return writeCache();
    }

    private Path writeCacheFile() {
        return stat.resolveSibling("queue").resolve("write_cache");
    }
}
