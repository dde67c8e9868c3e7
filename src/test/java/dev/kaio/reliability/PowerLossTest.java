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
package dev.kaio.reliability;

import static dev.kaio.testing.TestFiles.assertBytesEqual;
import static dev.kaio.testing.TestFiles.randomBytes;
import static dev.kaio.testing.TestFiles.readWithFileChannel;
import static dev.kaio.testing.TestFiles.toBytes;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.IoOptions;
import dev.kaio.RwFlag;
import dev.kaio.testing.FaultFs;
import dev.kaio.testing.Futures;
import dev.kaio.testing.ReliabilityLog;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a sync buys, shown on the lazy faultfs (written data stays in the FUSE daemon's memory until a
 * sync reaches it; a power loss, SIGKILL of the daemon, drops the rest). One write per way of making
 * data durable: each is on the disk (the backing file) as soon as its future completes, and the
 * daemon counted the kind of sync kaio asked for (FDSYNC arrives as fdatasync, FSYNC as fsync,
 * RWF_DSYNC / RWF_SYNC as the write's O_DSYNC / O_SYNC). A plain write that nothing synced is visible
 * through the mount but not on the disk, and the power loss takes it: the test can tell a sync from
 * no sync.
 *
 * <p>Checked on this kernel (6.18): IOCB_CMD_FSYNC/FDSYNC on a FUSE file reach the daemon's fsync
 * handler (datasync 0/1); a FUSE file opened with direct_io takes O_DIRECT opens; RWF_DSYNC/RWF_SYNC
 * travel in the FUSE write request's flags (with direct_io the kernel does not call
 * generic_write_sync, so the filesystem itself must honour them, as faultfs does).
 */
class PowerLossTest {

    static final int BS = 4096;
    static final int BLOCKS = 8;

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void syncedWritesSurviveAPowerLossAndAnUnsyncedOneIsLost(boolean direct) throws Exception {
        FaultFs.assumeAvailable();
        Path dir = TestFiles.newDirectory("powerloss");
        Path disk = dir.resolve("disk");
        byte[] old = randomBytes(1, BLOCKS * BS);
        Files.write(disk, old);
        byte[][] fresh = new byte[BLOCKS][];
        for (int b = 0; b < BLOCKS; b++) {
            fresh[b] = randomBytes(100 + b, BS);
        }
        try (FaultFs fs = FaultFs.mount(dir, disk, 0, 0, true);
                AioContext ctx = AioContext.open(8);
                AioFile f = direct ? AioFile.open(ctx, fs.data(), READ, WRITE, AioOpenOption.DIRECT)
                        : AioFile.open(ctx, fs.data(), READ, WRITE);
                Arena arena = Arena.ofShared()) {
            MemorySegment buf = DirectBuffers.allocate(arena, BS, BS);

            // block 1: write, then fdatasync()
            write(f, buf, fresh, 1, IoOptions.NONE);
            assertOld(disk, old, 1, "a plain write");
            Futures.await(f.fdatasync(), 60);
            assertFresh(disk, fresh, 1, "write + fdatasync()");
            assertCounters(fs, Map.of("fdatasyncs", 1L, "fsyncs", 0L), "fdatasync() must arrive as fdatasync");

            // block 2: write, then fsync()
            write(f, buf, fresh, 2, IoOptions.NONE);
            assertOld(disk, old, 2, "a plain write");
            Futures.await(f.fsync(), 60);
            assertFresh(disk, fresh, 2, "write + fsync()");
            assertCounters(fs, Map.of("fdatasyncs", 1L, "fsyncs", 1L), "fsync() must arrive as fsync");

            // blocks 3 and 4: one write each, durable by its own flag
            write(f, buf, fresh, 3, IoOptions.of(RwFlag.DSYNC));
            assertFresh(disk, fresh, 3, "a RWF_DSYNC write");
            write(f, buf, fresh, 4, IoOptions.of(RwFlag.SYNC));
            assertFresh(disk, fresh, 4, "a RWF_SYNC write");
            // block 5: a vectored RWF_DSYNC write
            MemorySegment half1 = DirectBuffers.allocate(arena, BS / 2, BS);
            MemorySegment half2 = DirectBuffers.allocate(arena, BS / 2, BS);
            half1.copyFrom(MemorySegment.ofArray(fresh[5]).asSlice(0, BS / 2));
            half2.copyFrom(MemorySegment.ofArray(fresh[5]).asSlice(BS / 2, BS / 2));
            if (!direct) { // O_DIRECT segments must be multiples of the alignment: one 4 KiB segment there
                assertEquals((long) BS, Futures.await(f.writev(List.of(half1, half2), 5L * BS, IoOptions.of(RwFlag.DSYNC)), 60));
            } else {
                buf.copyFrom(MemorySegment.ofArray(fresh[5]));
                assertEquals((long) BS, Futures.await(f.writev(List.of(buf), 5L * BS, IoOptions.of(RwFlag.DSYNC)), 60));
            }
            assertFresh(disk, fresh, 5, "a RWF_DSYNC writev");
            assertCounters(fs, Map.of("dsync_writes", 2L, "sync_writes", 1L, "fdatasyncs", 1L, "fsyncs", 1L),
                    "RWF_DSYNC / RWF_SYNC must reach the filesystem with the writes");

            // block 6: a plain write that nothing syncs; readers see it, the disk does not have it
            write(f, buf, fresh, 6, IoOptions.NONE);
            MemorySegment back = DirectBuffers.allocate(arena, BS, BS);
            assertEquals(BS, Futures.await(f.read(back, 6L * BS), 60));
            assertBytesEqual(fresh[6], toBytes(back), "the unsynced write, read back through the mount");
            assertOld(disk, old, 6, "an unsynced write");
            assertEquals(1, fs.stat("dirty_pages"), "only block 6 is waiting for a sync");

            fs.powerLoss();
        }
        // after the power loss: the disk has every synced block and the old block 6 (and 0 and 7, never written)
        for (int b = 1; b <= 5; b++) {
            assertFresh(disk, fresh, b, "block " + b + " after the power loss");
        }
        for (int b : new int[] {0, 6, 7}) {
            assertOld(disk, old, b, "after the power loss, block " + b);
        }
        // and after a "reboot", a new mount over the disk reads the same through kaio
        try (FaultFs fs = FaultFs.mount(dir, disk, 0, 0, false);
                AioContext ctx = AioContext.open(8);
                AioFile f = AioFile.open(ctx, fs.data(), READ);
                Arena arena = Arena.ofShared()) {
            MemorySegment all = DirectBuffers.allocate(arena, (long) BLOCKS * BS, BS);
            assertEquals(BLOCKS * BS, Futures.await(f.read(all, 0), 60));
            byte[] expected = old.clone();
            for (int b = 1; b <= 5; b++) {
                System.arraycopy(fresh[b], 0, expected, b * BS, BS);
            }
            assertBytesEqual(expected, toBytes(all), "the file after the power loss and a new mount");
        }
        ReliabilityLog.record("power loss (direct=" + direct + "): writes made durable by fdatasync(), fsync(), RWF_DSYNC, "
                + "RWF_SYNC and a RWF_DSYNC writev survived; an unsynced write, visible before, was lost");
    }

    private static void write(AioFile f, MemorySegment buf, byte[][] fresh, int block, IoOptions options) throws Exception {
        buf.copyFrom(MemorySegment.ofArray(fresh[block]));
        assertEquals(BS, Futures.await(f.write(buf, (long) block * BS, options), 60));
    }

    private static void assertFresh(Path disk, byte[][] fresh, int block, String what) throws Exception {
        assertBytesEqual(fresh[block], readWithFileChannel(disk, (long) block * BS, BS),
                what + ": block " + block + " is not on the disk");
    }

    private static void assertOld(Path disk, byte[] old, int block, String what) throws Exception {
        byte[] expected = java.util.Arrays.copyOfRange(old, block * BS, (block + 1) * BS);
        assertBytesEqual(expected, readWithFileChannel(disk, (long) block * BS, BS),
                what + " reached the disk at block " + block + " without a sync");
    }

    private static void assertCounters(FaultFs fs, Map<String, Long> expected, String why) throws Exception {
        Map<String, Long> stats = fs.stats();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            assertEquals(e.getValue(), stats.get(e.getKey()), why + ": faultfs counted " + stats);
        }
    }
}
