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
import static dev.kaio.testing.TestFiles.toBytes;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.AioContext;
import dev.kaio.AioException;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.Errno;
import dev.kaio.testing.Commands;
import dev.kaio.testing.FaultFs;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.ReliabilityLog;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Faults the kernel really produces: ENOSPC on a small filesystem made on a loop device, and EIO from
 * a FUSE filesystem that fails one byte range (this kernel has no device-mapper, so no dm-error; FUSE
 * it has), both on the file itself and on a loop block device stacked on it.
 */
class FaultInjectionTest {

    // ------------------------------------------------------------------ ENOSPC

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {true, false})
    void enospcFailsTheWritesThatDoNotFitAndKeepsWhatWasAcknowledged(boolean direct) throws Exception {
        LoopDevice.assumeAvailable();
        assumeTrue(Files.isExecutable(Path.of("/sbin/mkfs.ext4")) || Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4")),
                "mkfs.ext4 (e2fsprogs) is not installed");
        Path dir = TestFiles.newDirectory("enospc");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("small.img"), 8L << 20, 512)) {
            Commands.run(List.of("mkfs.ext4", "-q", "-F", "-O", "^has_journal", loop.path().toString()));
            Commands.run(List.of("mount", loop.path().toString(), mnt.toString()));
            Path file = mnt.resolve("fill");
            int bs = 256 * 1024;
            List<byte[]> acknowledged = new ArrayList<>();
            AioException enospc = null;
            try (AioContext ctx = AioContext.open(8);
                    AioFile f = direct ? AioFile.open(ctx, file, READ, WRITE, CREATE, AioOpenOption.DIRECT)
                            : AioFile.open(ctx, file, READ, WRITE, CREATE);
                    Arena arena = Arena.ofShared()) {
                MemorySegment buf = DirectBuffers.allocate(arena, bs, 4096);
                for (int i = 0; i < 64 && enospc == null; i++) { // 16 MiB: twice the filesystem
                    byte[] data = randomBytes(i, bs);
                    buf.copyFrom(MemorySegment.ofArray(data));
                    try {
                        int n = f.write(buf, (long) i * bs).get(30, TimeUnit.SECONDS);
                        if (n == bs) {
                            acknowledged.add(data);
                        } else {
                            // a partial write: what was written is acknowledged, the rest did not fit
                            assertTrue(n > 0 && n < bs, "write returned " + n);
                            break;
                        }
                    } catch (java.util.concurrent.ExecutionException e) {
                        enospc = assertInstanceOf(AioException.class, e.getCause());
                    }
                }
                if (enospc == null && !direct) {
                    // buffered writes may only find out when the page cache is written back
                    try {
                        f.fdatasync().get(30, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        enospc = assertInstanceOf(AioException.class, e.getCause());
                    }
                }
                assertTrue(enospc != null, "8 MiB filesystem accepted 16 MiB");
                assertEquals(Errno.ENOSPC, enospc.errno(), enospc.getMessage());
                assertTrue(enospc.getMessage().contains("ENOSPC (No space left on device)"), enospc.getMessage());
                assertTrue(acknowledged.size() > 8, "some writes fit: " + acknowledged.size());
                // the context and the file still work: read back the first acknowledged block
                MemorySegment back = DirectBuffers.allocate(arena, bs, 4096);
                assertEquals(bs, f.read(back, 0).get(30, TimeUnit.SECONDS));
                assertBytesEqual(acknowledged.get(0), toBytes(back), "block 0 after ENOSPC");
            }
            // unmount and mount again: what was acknowledged is on the device
            Commands.run(List.of("umount", mnt.toString()));
            Commands.run(List.of("mount", loop.path().toString(), mnt.toString()));
            try {
                for (int i = 0; i < acknowledged.size(); i++) {
                    assertBytesEqual(acknowledged.get(i), TestFiles.readWithFileChannel(file, (long) i * bs, bs),
                            "acknowledged block " + i + " after remount");
                }
                ReliabilityLog.record(String.format(
                        "ENOSPC (direct=%s) on an 8 MiB ext4: %d x 256 KiB writes acknowledged and intact after remount; "
                                + "then %s", direct, acknowledged.size(), enospc.getMessage().replaceAll("to /\\S*/mnt/", "to <8 MiB ext4>/")));
            } finally {
                Commands.run(List.of("umount", mnt.toString()));
            }
        }
    }

    // ------------------------------------------------------------------ EIO

    static final long BAD_OFFSET = 1L << 20;
    static final long BAD_LENGTH = 64 * 1024;

    static FaultFs mountFaultFs(Path dir, Path backing) throws Exception {
        LoopDevice.assumeAvailable(); // the stacked-loop test needs loop devices as well
        return FaultFs.mount(dir, backing, BAD_OFFSET, BAD_LENGTH, false);
    }

    @Test
    void eioOnExactlyTheRequestsThatTouchTheFailingRange() throws Exception {
        Path dir = TestFiles.newDirectory("eio");
        Path backing = dir.resolve("backing");
        byte[] content = randomBytes(77, 4 << 20);
        Files.write(backing, content);
        try (FaultFs fs = mountFaultFs(dir, backing);
                AioContext ctx = AioContext.open(64);
                AioFile f = AioFile.open(ctx, fs.data(), READ, WRITE);
                Arena arena = Arena.ofShared()) {
            int bs = 64 * 1024;
            int n = (4 << 20) / bs;
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            List<MemorySegment> bufs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                MemorySegment b = arena.allocate(bs);
                bufs.add(b);
                reads.add(f.read(b, (long) i * bs));
            }
            int failed = 0;
            for (int i = 0; i < n; i++) {
                long pos = (long) i * bs;
                boolean bad = pos < BAD_OFFSET + BAD_LENGTH && pos + bs > BAD_OFFSET;
                if (bad) {
                    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                            reads.get(i)::join);
                    AioException aio = assertInstanceOf(AioException.class, e.getCause());
                    assertEquals(Errno.EIO, aio.errno(), aio.getMessage());
                    assertTrue(aio.getMessage().startsWith("read: EIO (Input/output error): 65536 bytes at position "
                            + pos), aio.getMessage());
                    failed++;
                } else {
                    assertEquals(bs, reads.get(i).join(), "read at " + pos);
                    assertBytesEqual(java.util.Arrays.copyOfRange(content, (int) pos, (int) pos + bs),
                            toBytes(bufs.get(i)), "read at " + pos);
                }
            }
            assertEquals(1, failed);
            ReliabilityLog.record("EIO (FUSE file failing [1 MiB, +64 KiB)): " + n
                    + " reads of 64 KiB in flight, exactly " + failed + " failed with EIO, the other " + (n - failed)
                    + " returned the right bytes");
            // writes: the one into the range fails, its neighbours land
            MemorySegment w = arena.allocate(4096);
            w.fill((byte) 7);
            assertEquals(4096, f.write(w, BAD_OFFSET - 4096).join());
            CompletionException we = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    () -> f.write(w, BAD_OFFSET + 4096).join());
            assertEquals(Errno.EIO, ((AioException) we.getCause()).errno());
            assertEquals(4096, f.write(w, BAD_OFFSET + BAD_LENGTH).join());
            assertEquals(7, Files.readAllBytes(backing)[(int) BAD_OFFSET - 1]);
            assertEquals(content[(int) BAD_OFFSET + 4096], Files.readAllBytes(backing)[(int) BAD_OFFSET + 4096],
                    "the failed write did not reach the backing file");
        }
    }

    @Test
    void eioFromABlockDeviceStackedOnTheFailingFile() throws Exception {
        Path dir = TestFiles.newDirectory("eiodev");
        Path backing = dir.resolve("backing");
        byte[] content = randomBytes(78, 4 << 20);
        Files.write(backing, content);
        try (FaultFs fs = mountFaultFs(dir, backing)) {
            String dev = Commands.run(List.of("losetup", "-f", "--show", fs.data().toString())).trim();
            try (AioContext ctx = AioContext.open(64);
                    AioFile f = AioFile.open(ctx, Path.of(dev), READ, AioOpenOption.DIRECT);
                    Arena arena = Arena.ofShared()) {
                int bs = 64 * 1024;
                // every other 64 KiB block, so that the block layer cannot merge neighbours into one request
                List<CompletableFuture<Integer>> reads = new ArrayList<>();
                List<Long> positions = new ArrayList<>();
                for (long pos = 0; pos < (4 << 20); pos += 2L * bs) {
                    positions.add(pos);
                    reads.add(f.read(DirectBuffers.allocate(arena, bs, 4096), pos));
                }
                int failed = 0;
                for (int i = 0; i < reads.size(); i++) {
                    long pos = positions.get(i);
                    boolean bad = pos < BAD_OFFSET + BAD_LENGTH && pos + bs > BAD_OFFSET;
                    if (bad) {
                        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                                reads.get(i)::join);
                        assertEquals(Errno.EIO, ((AioException) e.getCause()).errno());
                        failed++;
                    } else {
                        assertEquals(bs, reads.get(i).join(), "O_DIRECT read of " + dev + " at " + pos);
                    }
                }
                assertEquals(1, failed, "exactly the request over the failing range");
                ReliabilityLog.record("EIO (loop device over the failing FUSE file, O_DIRECT): "
                        + reads.size() + " reads, exactly " + failed + " failed with EIO");
            } finally {
                Commands.run(List.of("losetup", "-d", dev));
            }
        }
    }
}
