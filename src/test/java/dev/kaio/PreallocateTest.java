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

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.testing.Commands;
import dev.kaio.testing.FaultFs;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.ReliabilityLog;
import dev.kaio.testing.TestFiles;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link AioFile#preallocate}: fallocate(2) as {@code stat} sees it (st_size and st_blocks from
 * coreutils' stat, not from kaio), with and without FALLOC_FL_KEEP_SIZE, on the project's disk and on
 * tmpfs; EOPNOTSUPP where preallocation does not exist (a FUSE filesystem without a fallocate handler,
 * a block device), ENOSPC on a small filesystem, and bad arguments.
 */
class PreallocateTest {

    /** st_size, and st_blocks * the unit stat reports them in (512). */
    record Stat(long size, long allocated) {}

    static Stat stat(Path path) throws Exception {
        String[] f = Commands.run(List.of("stat", "-c", "%s %b %B", path.toString())).trim().split(" ");
        return new Stat(Long.parseLong(f[0]), Long.parseLong(f[1]) * Long.parseLong(f[2]));
    }

    @Test
    void modeZeroGrowsTheFileAndAllocatesItsBlocks() throws Exception {
        Path dir = TestFiles.newDirectory("prealloc");
        TestFiles.assertNotTmpfs(dir);
        checkBothModes(dir, "disk (" + TestFiles.filesystemType(dir) + ")");
    }

    @Test
    void tmpfsPreallocatesToo() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && TestFiles.filesystemType(shm).equals("tmpfs"), "/dev/shm is not a tmpfs");
        Path dir = Files.createTempDirectory(shm, "kaio-prealloc");
        try {
            checkBothModes(dir, "tmpfs");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static void checkBothModes(Path dir, String where) throws Exception {
        long mib = 1 << 20;
        try (AioContext ctx = AioContext.open(4)) {
            // mode 0 on an empty file: size and blocks grow to 8 MiB, the range reads as zeros
            Path grown = dir.resolve("grown");
            try (AioFile f = AioFile.open(ctx, grown, READ, WRITE, CREATE_NEW)) {
                Stat before = stat(grown);
                assertEquals(new Stat(0, 0), before, "a new empty file");
                f.preallocate(0, 8 * mib);
                Stat after = stat(grown);
                assertEquals(8 * mib, after.size(), "st_size after preallocate(0, 8 MiB)");
                assertTrue(after.allocated() >= 8 * mib, "st_blocks after preallocate(0, 8 MiB): " + after);
                assertEquals(8 * mib, f.size());
                byte[] zeros = TestFiles.readWithFileChannel(grown, 3 * mib + 5, 4096);
                assertEquals(4096, zeros.length);
                for (byte b : zeros) {
                    assertEquals(0, b, "preallocated bytes read as zeros");
                }
                // a range inside the file changes nothing that stat shows
                f.preallocate(mib, mib);
                assertEquals(after, stat(grown), "preallocating an already allocated range");
            }
            // FALLOC_FL_KEEP_SIZE: the blocks are allocated beyond the end, the size stays 1000
            Path kept = dir.resolve("kept");
            Files.write(kept, new byte[1000]);
            try (AioFile f = AioFile.open(ctx, kept, WRITE, AioOpenOption.DIRECT)) {
                Stat before = stat(kept);
                f.preallocate(0, 4 * mib, PreallocateOption.KEEP_SIZE);
                Stat after = stat(kept);
                assertEquals(1000, after.size(), "st_size with FALLOC_FL_KEEP_SIZE");
                assertTrue(after.allocated() >= 4 * mib && after.allocated() > before.allocated(),
                        "st_blocks with FALLOC_FL_KEEP_SIZE: " + before + " -> " + after);
                ReliabilityLog.record("preallocate on " + where + ": mode 0 grew an empty file to 8 MiB with "
                        + "8 MiB allocated; FALLOC_FL_KEEP_SIZE kept a 1000-byte file at 1000 bytes with "
                        + after.allocated() + " bytes allocated (was " + before.allocated() + ")");
            }
        }
    }

    @Test
    void wherePreallocationDoesNotExistItIsAnExplainedEopnotsupp() throws Exception {
        FaultFs.assumeAvailable();
        LoopDevice.assumeAvailable();
        Path dir = TestFiles.newDirectory("prealloc-unsupported");
        Path backing = dir.resolve("backing");
        Files.write(backing, new byte[64 * 1024]);
        try (AioContext ctx = AioContext.open(4)) {
            // a FUSE filesystem with no fallocate handler: the kernel answers EOPNOTSUPP for it
            try (FaultFs fs = FaultFs.mount(dir, backing, 0, 0, false);
                    AioFile f = AioFile.open(ctx, fs.data(), READ, WRITE)) {
                AioException e = assertThrows(AioException.class, () -> f.preallocate(0, 1 << 20));
                assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                assertEquals("fallocate", e.operation());
                assertTrue(e.getMessage().contains("does not implement fallocate(2) preallocation")
                        && e.getMessage().contains("(fuse"), e.getMessage());
                ReliabilityLog.record("preallocate on a FUSE file: " + e.getMessage().replace(dir.toString(), "<dir>"));
            }
            // a block device has all its blocks: mode 0 and KEEP_SIZE are refused
            try (LoopDevice loop = LoopDevice.attach(dir.resolve("loop.img"), 4 << 20, 512);
                    AioFile f = AioFile.open(ctx, loop.path(), READ, WRITE, AioOpenOption.DIRECT)) {
                AioException e = assertThrows(AioException.class, () -> f.preallocate(0, 4096));
                assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                assertTrue(e.getMessage().contains("a block device has all its blocks"), e.getMessage());
                AioException k = assertThrows(AioException.class,
                        () -> f.preallocate(0, 4096, PreallocateOption.KEEP_SIZE));
                assertEquals(Errno.EOPNOTSUPP, k.errno(), k.getMessage());
            }
        }
    }

    @Test
    void moreThanTheFreeSpaceIsEnospc() throws Exception {
        LoopDevice.assumeAvailable();
        assumeTrue(Files.isExecutable(Path.of("/sbin/mkfs.ext4")) || Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4")),
                "mkfs.ext4 (e2fsprogs) is not installed");
        Path dir = TestFiles.newDirectory("prealloc-enospc");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("small.img"), 8L << 20, 512)) {
            Commands.run(List.of("mkfs.ext4", "-q", "-F", "-O", "^has_journal", loop.path().toString()));
            Commands.run(List.of("mount", loop.path().toString(), mnt.toString()));
            try (AioContext ctx = AioContext.open(4);
                    AioFile f = AioFile.open(ctx, mnt.resolve("big"), READ, WRITE, CREATE)) {
                AioException e = assertThrows(AioException.class, () -> f.preallocate(0, 64L << 20));
                assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
                assertTrue(e.getMessage().contains("not enough free space"), e.getMessage());
                // ext4 keeps what it allocated before running out (and mode 0 grows the file to it)
                long partial = f.size();
                assertTrue(partial < 64L << 20, "size after ENOSPC: " + partial);
                ReliabilityLog.record("preallocate of 64 MiB on an 8 MiB ext4: " + e.errnoName() + "; the file was left at "
                        + partial + " bytes (ext4 keeps the part it allocated)");
                Path small = mnt.resolve("small");
                try (AioFile g = AioFile.open(ctx, small, READ, WRITE, CREATE)) {
                    assertThrows(AioException.class, () -> g.preallocate(0, 1 << 20), "the filesystem is full now");
                }
            } finally {
                Commands.run(List.of("umount", mnt.toString()));
            }
        }
    }

    @Test
    void badArgumentsAndModesThrowBeforeTheSystemCall() throws Exception {
        Path dir = TestFiles.newDirectory("prealloc-args");
        Path path = dir.resolve("f");
        Files.write(path, new byte[10]);
        try (AioContext ctx = AioContext.open(4);
                AioFile rw = AioFile.open(ctx, path, READ, WRITE);
                AioFile ro = AioFile.open(ctx, path, READ)) {
            assertThrows(IllegalArgumentException.class, () -> rw.preallocate(-1, 10));
            assertThrows(IllegalArgumentException.class, () -> rw.preallocate(0, 0));
            assertThrows(IllegalArgumentException.class, () -> rw.preallocate(0, -5));
            assertThrows(IllegalArgumentException.class, () -> rw.preallocate(Long.MAX_VALUE - 1, 10));
            assertThrows(NullPointerException.class, () -> rw.preallocate(0, 10, (PreallocateOption) null));
            assertThrows(NonWritableChannelException.class, () -> ro.preallocate(0, 10));
            rw.close();
            assertThrows(ClosedChannelException.class, () -> rw.preallocate(0, 10));
        }
        assertEquals(10, Files.size(path), "nothing was preallocated");
    }
}
