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

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.IoOptions;
import dev.kaio.RwFlag;
import dev.kaio.testing.BlockStat;
import dev.kaio.testing.Commands;
import dev.kaio.testing.Futures;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.ReliabilityLog;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durability as the block layer sees it: the flush counter of a loop device ({@code /sys/block/loopN/stat},
 * field 16 "flush I/Os") must rise for kaio's {@code fsync()}, {@code fdatasync()} and each
 * {@code RWF_DSYNC} / {@code RWF_SYNC} write, and must not move for plain writes. A sync that kaio
 * forgot to submit, or a flag it dropped, leaves the counter where it was.
 *
 * <p>Why this is deterministic: the loop device is the test's own, nothing else opens it, and it is
 * used raw or under ext2. A journalling filesystem (ext4, xfs) flushes on its own schedule (the
 * journal commit every few seconds, lazy inode-table init), so "no flush for a plain write" could not
 * be asserted there; ext2 has no journal and issues a flush only from its fsync (checked empty for a
 * second before the test relies on it). The loop device reports a volatile write cache ("write back",
 * asserted): with "write through" the block layer would complete flushes without counting them. On
 * the raw device an O_DIRECT DSYNC write is a FUA write, which the block layer turns into a write and
 * a flush because loop has no FUA; a buffered one is written back and flushed by generic_write_sync.
 * How the loop driver then writes its backing file (buffered here, not --direct-io) does not matter:
 * the counter is the loop disk's, incremented when a flush request completes there (the loop driver
 * serves it with an fsync of the backing file).
 */
class FlushCountTest {

    private static final int BS = 4096;

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void onARawLoopDeviceOnlySyncsFlush(boolean direct) throws Exception {
        Path dir = TestFiles.newDirectory("flush-raw");
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("backing.img"), 16L << 20, 512)) {
            List<String> log = checkFlushes(BlockStat.of(loop.path()), loop.path(), direct);
            ReliabilityLog.record("flushes (raw loop device, direct=" + direct + "): " + String.join(", ", log));
        }
    }

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void onAFileOnExt2OnlySyncsFlush(boolean direct) throws Exception {
        LoopDevice.assumeAvailable();
        assumeTrue(Files.isExecutable(Path.of("/sbin/mkfs.ext2")) || Files.isExecutable(Path.of("/usr/sbin/mkfs.ext2")),
                "mkfs.ext2 (e2fsprogs) is not installed");
        Path dir = TestFiles.newDirectory("flush-ext2");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("backing.img"), 64L << 20, 512)) {
            Commands.run(List.of("mkfs.ext2", "-q", "-F", loop.path().toString()));
            Commands.run(List.of("mount", "-t", "ext2", loop.path().toString(), mnt.toString()));
            try {
                Path file = mnt.resolve("f");
                Files.write(file, new byte[1 << 20]); // allocated, so later writes are overwrites
                BlockStat stat = BlockStat.of(loop.path());
                // the premise: a mounted ext2 that nobody syncs issues no flush by itself
                long quiet = stat.flushes();
                Thread.sleep(1000);
                assertEquals(quiet, stat.flushes(), "ext2 on " + loop.path() + " flushed by itself: the test cannot "
                        + "attribute flushes to kaio");
                List<String> log = checkFlushes(stat, file, direct);
                ReliabilityLog.record("flushes (file on ext2 on a loop device, direct=" + direct + "): "
                        + String.join(", ", log));
            } finally {
                Commands.run(List.of("umount", mnt.toString()));
            }
        }
    }

    /** Each kind of request, then the flush counter's change; returns what was seen, for the log. */
    private static List<String> checkFlushes(BlockStat stat, Path target, boolean direct) throws Exception {
        assumeTrue(stat.hasFlushCounters(), "this kernel's /sys/block/*/stat has no flush counters (Linux 5.5+)");
        assertEquals("write back", stat.restoreWriteCache(), "the loop device must report a write-back cache, or the "
                + "block layer completes flushes without counting them");
        List<String> log = new ArrayList<>();
        List<OpenOption> options = new ArrayList<>(List.of(READ, WRITE));
        if (direct) {
            options.add(AioOpenOption.DIRECT);
        }
        try (AioContext ctx = AioContext.open(16);
                AioFile f = AioFile.open(ctx, target, options.toArray(OpenOption[]::new));
                Arena arena = Arena.ofShared()) {
            MemorySegment buf = DirectBuffers.allocate(arena, BS, BS);
            buf.fill((byte) 0x5a);
            int n = 4;

            long before = stat.flushes();
            List<CompletableFuture<?>> plain = new ArrayList<>();
            for (int i = 0; i < 2 * n; i++) {
                plain.add(f.write(buf, (long) i * BS));
            }
            plain.add(f.writev(List.of(buf, buf), 16L * BS));
            for (CompletableFuture<?> w : plain) {
                Futures.await(w, 60);
            }
            long plainFlushes = stat.flushes() - before;
            log.add("plain writes " + plainFlushes);
            assertEquals(0, plainFlushes, (2 * n + 1) + " plain writes (no RWF_DSYNC/RWF_SYNC) made the device flush");

            for (RwFlag flag : List.of(RwFlag.DSYNC, RwFlag.SYNC)) {
                before = stat.flushes();
                for (int i = 0; i < n; i++) { // one at a time: each must carry its own flush
                    assertEquals(BS, Futures.await(f.write(buf, (long) i * BS, IoOptions.of(flag)), 60));
                }
                long flushes = stat.flushes() - before;
                log.add(n + " RWF_" + flag + " writes " + flushes);
                assertTrue(flushes >= n, n + " writes with RWF_" + flag + " made " + flushes + " flushes: the flag did not "
                        + "reach the kernel with every write");

                before = stat.flushes();
                Futures.await(f.writev(List.of(buf, buf), 16L * BS, IoOptions.of(flag)), 60);
                flushes = stat.flushes() - before;
                log.add("1 RWF_" + flag + " writev " + flushes);
                assertTrue(flushes >= 1, "a writev with RWF_" + flag + " made no flush");
            }

            for (String sync : List.of("fdatasync", "fsync")) {
                Futures.await(f.write(buf, 0), 60); // something to sync
                before = stat.flushes();
                Futures.await(sync.equals("fsync") ? f.fsync() : f.fdatasync(), 60);
                long flushes = stat.flushes() - before;
                log.add(sync + " " + flushes);
                assertTrue(flushes >= 1, sync + "() made no flush: it did not reach the kernel");
            }

            // and the counter is not simply rising by itself
            before = stat.flushes();
            Futures.await(f.write(buf, 0), 60);
            assertEquals(0, stat.flushes() - before, "a plain write after the syncs made the device flush");
        }
        return log;
    }
}
