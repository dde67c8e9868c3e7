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

import static dev.kaio.testing.TestFiles.assertBytesEqual;
import static dev.kaio.testing.TestFiles.randomBytes;
import static dev.kaio.testing.TestFiles.readWithFileChannel;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.Commands;
import dev.kaio.testing.Futures;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link UnalignedIo} against the real kernel: random unaligned reads and writes on O_DIRECT files and
 * on loop devices with 512- and 4096-byte sectors, each write also done with {@code FileChannel} on a
 * twin file (or an in-memory image of the device), and the two compared through {@code FileChannel}.
 */
class UnalignedIoTest {

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return Futures.await(f, 60);
    }

    @Test
    void alignDownAndAlignUp() {
        assertEquals(4096, DirectBuffers.alignDown(4100, 512));
        assertEquals(4096, DirectBuffers.alignDown(4100, 4096));
        assertEquals(3584, DirectBuffers.alignDown(4095, 512));
        assertEquals(4608, DirectBuffers.alignUp(4100, 512));
        assertEquals(4096, DirectBuffers.alignUp(4096, 512));
        assertEquals(0, DirectBuffers.alignUp(0, 4096));
        assertEquals(0, DirectBuffers.alignDown(511, 512));
        assertEquals(7, DirectBuffers.alignUp(7, 1));
        assertTrue(DirectBuffers.isAligned(8192, 4096));
        assertThrows(IllegalArgumentException.class, () -> DirectBuffers.alignUp(1, 3));
        assertThrows(IllegalArgumentException.class, () -> DirectBuffers.alignDown(1, 0));
        assertThrows(IllegalArgumentException.class, () -> DirectBuffers.alignDown(-1, 512));
        assertThrows(ArithmeticException.class, () -> DirectBuffers.alignUp(Long.MAX_VALUE - 10, 512));
    }

    /**
     * 400 random operations on a file that starts at an odd size: writes at any position and length
     * (heap segments, and native segments at odd addresses), some past the end of the file, and reads
     * of any range, each compared with what FileChannel reads from a twin file given the same writes.
     */
    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {true, false})
    void randomUnalignedWritesAndReadsMatchFileChannel(boolean direct) throws Exception {
        Path dir = TestFiles.newDirectory("unaligned");
        TestFiles.assertNotTmpfs(dir);
        int alignment = randomOperationsAgainstAFileChannelTwin(dir, direct);
        if (direct) {
            assertTrue(alignment >= 512, "O_DIRECT alignment " + alignment);
        }
    }

    /** The same on a file of an ext4 made on a loop device with 4096-byte sectors: the alignment is 4096. */
    @Test
    void onAFileOfAnExt4With4096ByteSectors() throws Exception {
        LoopDevice.assumeAvailable();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/sbin/mkfs.ext4"))
                || Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4")), "mkfs.ext4 (e2fsprogs) is not installed");
        Path dir = TestFiles.newDirectory("unaligned-ext4-4k");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("backing.img"), 64L << 20, 4096)) {
            Commands.run(List.of("mkfs.ext4", "-q", "-F", loop.path().toString()));
            Commands.run(List.of("mount", loop.path().toString(), mnt.toString()));
            try {
                assertEquals(4096, randomOperationsAgainstAFileChannelTwin(mnt, true),
                        "the O_DIRECT alignment of a file on a 4096-byte-sector device");
            } finally {
                Commands.run(List.of("umount", mnt.toString()));
            }
        }
    }

    /** 400 random operations on {@code dir}/kaio and its twin; returns the alignment UnalignedIo used. */
    private static int randomOperationsAgainstAFileChannelTwin(Path dir, boolean direct) throws Exception {
        Path path = dir.resolve("kaio");
        Path twin = dir.resolve("filechannel");
        byte[] initial = randomBytes(7, 64 * 1024 + 100);
        Files.write(path, initial);
        Files.write(twin, initial);
        SplittableRandom random = new SplittableRandom(42);
        try (AioContext ctx = AioContext.open(32);
                AioFile file = direct ? AioFile.open(ctx, path, READ, WRITE, AioOpenOption.DIRECT)
                        : AioFile.open(ctx, path, READ, WRITE);
                UnalignedIo io = UnalignedIo.of(file);
                FileChannel fc = FileChannel.open(twin, READ, WRITE);
                Arena arena = Arena.ofConfined(); // writes copy their source at once: a confined one is fine
                Arena shared = Arena.ofShared()) {
            assertEquals(direct ? file.alignment() : 1, io.alignment());
            for (int op = 0; op < 400; op++) {
                long size = fc.size();
                long position = random.nextLong(size + 3000);
                int length = 1 + random.nextInt(3 * 4096);
                if (random.nextInt(3) > 0) {
                    byte[] data = randomBytes(1000 + op, length);
                    MemorySegment src = random.nextBoolean() ? MemorySegment.ofArray(data)
                            : oddNative(arena, data, random.nextInt(1, 64));
                    assertEquals(length, await(io.write(src, position)), "write " + op);
                    fc.write(ByteBuffer.wrap(data), position);
                    assertEquals(fc.size(), file.size(), "file size after write " + op + " of " + length
                            + " bytes at " + position + " (FileChannel's twin is the reference)");
                } else {
                    byte[] expected = readWithFileChannel(twin, position, length);
                    byte[] got = new byte[length];
                    int n = await(io.read(MemorySegment.ofArray(got), position));
                    assertEquals(expected.length, n, "bytes read by read " + op + " of " + length + " at " + position);
                    assertBytesEqual(expected, Arrays.copyOf(got, n), "read " + op + " at " + position);
                }
            }
            // one read into a native segment at an odd address, of the whole file (a shared arena's: the
            // reaping thread copies into it; a confined one is refused)
            int all = (int) fc.size();
            assertThrows(IllegalArgumentException.class, () -> io.read(arena.allocate(all), 0));
            MemorySegment odd = shared.allocate(all + 3, 8).asSlice(3, all);
            assertEquals(all, await(io.read(odd, 0)));
            assertBytesEqual(Files.readAllBytes(twin), odd.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    "whole file read into an odd native segment");
            assertBytesEqual(Files.readAllBytes(twin), Files.readAllBytes(path), "the file after 400 operations");
            return io.alignment();
        }
    }

    /**
     * The same on raw loop block devices (O_DIRECT alignment = the logical sector size), checked against
     * an in-memory image of the device, then read back through FileChannel on the device node.
     */
    @ParameterizedTest(name = "{0}-byte sectors")
    @ValueSource(ints = {512, 4096})
    void onLoopDevicesWith512And4096ByteSectors(int sectorSize) throws Exception {
        LoopDevice.assumeAvailable();
        Path dir = TestFiles.newDirectory("unaligned-blockdev");
        int size = 4 << 20;
        byte[] image = new byte[size]; // the backing file starts as zeros
        SplittableRandom random = new SplittableRandom(sectorSize);
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("backing.img"), size, sectorSize);
                AioContext ctx = AioContext.open(32);
                AioFile dev = AioFile.open(ctx, loop.path(), READ, WRITE, AioOpenOption.DIRECT);
                UnalignedIo io = UnalignedIo.of(dev)) {
            assertEquals(sectorSize, io.alignment(), "alignment of " + loop.path());
            for (int op = 0; op < 300; op++) {
                int length = 1 + random.nextInt(3 * sectorSize + 100);
                int position = random.nextInt(size - length + 1);
                if (random.nextInt(3) > 0) {
                    byte[] data = randomBytes(op, length);
                    assertEquals(length, await(io.write(MemorySegment.ofArray(data), position)), "write " + op);
                    System.arraycopy(data, 0, image, position, length);
                } else {
                    byte[] got = new byte[length];
                    assertEquals(length, await(io.read(MemorySegment.ofArray(got), position)), "read " + op);
                    assertBytesEqual(Arrays.copyOfRange(image, position, position + length), got,
                            "read " + op + " of " + length + " at " + position);
                }
            }
            // the last bytes of the device, and a read that runs past its end
            byte[] last = randomBytes(99, 10);
            assertEquals(10, await(io.write(MemorySegment.ofArray(last), size - 10)));
            System.arraycopy(last, 0, image, size - 10, 10);
            byte[] across = new byte[100];
            assertEquals(10, await(io.read(MemorySegment.ofArray(across), size - 10)), "a read across the device's end");
            assertBytesEqual(last, Arrays.copyOf(across, 10), "the device's last bytes");
            Futures.await(dev.fdatasync(), 60);
        }
        // closed and detached: the backing file holds what FileChannel reads
        assertBytesEqual(image, Files.readAllBytes(dir.resolve("backing.img")), "the device after 300 operations");
    }

    /** Threads writing unaligned ranges inside blocks of their own (never sharing one) lose nothing. */
    @Test
    void concurrentWritersToDistinctBlocksLoseNothing() throws Exception {
        Path dir = TestFiles.newDirectory("unaligned-threads");
        Path path = dir.resolve("f");
        int threads = 8;
        int blocksEach = 16;
        try (AioContext ctx = AioContext.open(64);
                AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE, AioOpenOption.DIRECT);
                UnalignedIo io = UnalignedIo.of(file)) {
            int bs = io.alignment();
            byte[] image = new byte[threads * blocksEach * bs];
            Files.write(path, image);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<byte[]>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int me = t;
                    results.add(pool.submit(() -> {
                        byte[] mine = new byte[image.length];
                        SplittableRandom r = new SplittableRandom(me);
                        for (int i = 0; i < 200; i++) {
                            int block = me + threads * r.nextInt(blocksEach); // blocks t, t+8, t+16, ...
                            int from = r.nextInt(bs);
                            int length = 1 + r.nextInt(bs - from);
                            byte[] data = randomBytes(me * 1000L + i, length);
                            long position = (long) block * bs + from;
                            assertEquals(length, await(io.write(MemorySegment.ofArray(data), position)));
                            System.arraycopy(data, 0, mine, (int) position, length);
                        }
                        return mine;
                    }));
                }
                for (int t = 0; t < threads; t++) {
                    byte[] mine = results.get(t).get();
                    for (int b = t; b < threads * blocksEach; b += threads) {
                        System.arraycopy(mine, b * bs, image, b * bs, bs);
                    }
                }
            } finally {
                pool.shutdown();
            }
            assertBytesEqual(image, Files.readAllBytes(path), "8 threads' unaligned writes to their own blocks");
        }
    }

    @Test
    void endOfFileEmptyRangesAndBadArguments() throws Exception {
        Path dir = TestFiles.newDirectory("unaligned-edges");
        Path path = dir.resolve("f");
        byte[] content = randomBytes(3, 1000);
        Files.write(path, content);
        try (AioContext ctx = AioContext.open(8);
                AioFile file = AioFile.open(ctx, path, READ, WRITE, AioOpenOption.DIRECT);
                AioFile readOnly = AioFile.open(ctx, path, READ, AioOpenOption.DIRECT);
                AioFile writeOnly = AioFile.open(ctx, path, WRITE, AioOpenOption.DIRECT);
                UnalignedIo io = UnalignedIo.of(file);
                UnalignedIo ro = UnalignedIo.of(readOnly);
                UnalignedIo wo = UnalignedIo.of(writeOnly)) {
            byte[] buf = new byte[50];
            assertEquals(20, await(io.read(MemorySegment.ofArray(buf), 980)), "a read across the end of the file");
            assertBytesEqual(Arrays.copyOfRange(content, 980, 1000), Arrays.copyOf(buf, 20), "the file's last bytes");
            assertEquals(0, await(io.read(MemorySegment.ofArray(buf), 1000)), "at the end of the file");
            assertEquals(0, await(io.read(MemorySegment.ofArray(buf), 100_000)), "far past the end of the file");
            assertEquals(0, await(io.read(MemorySegment.ofArray(new byte[0]), 5)), "an empty range");
            assertEquals(0, await(io.write(MemorySegment.ofArray(new byte[0]), 5000)), "an empty write");
            assertEquals(1000, Files.size(path), "an empty write past the end does not grow the file");

            // a write past the end leaves zeros in between and ends exactly where FileChannel's would
            byte[] tail = randomBytes(4, 7);
            assertEquals(7, await(io.write(MemorySegment.ofArray(tail), 3000)));
            assertEquals(3007, Files.size(path), "the size after writing 7 bytes at 3000 (not the block boundary)");
            byte[] expected = new byte[3007];
            System.arraycopy(content, 0, expected, 0, 1000);
            System.arraycopy(tail, 0, expected, 3000, 7);
            assertBytesEqual(expected, Files.readAllBytes(path), "the file after a write past its end");

            assertThrows(IllegalArgumentException.class, () -> io.read(MemorySegment.ofArray(buf).asReadOnly(), 0));
            assertThrows(IllegalArgumentException.class, () -> io.read(MemorySegment.ofArray(buf), -1));
            assertThrows(IllegalArgumentException.class, () -> io.write(MemorySegment.ofArray(buf), -1));
            assertThrows(IllegalArgumentException.class, () -> io.write(MemorySegment.ofArray(buf), Long.MAX_VALUE - 10));
            assertThrows(NullPointerException.class, () -> io.read(null, 0));
            assertThrows(NonWritableChannelException.class, () -> ro.write(MemorySegment.ofArray(buf), 3));
            assertThrows(NonReadableChannelException.class, () -> wo.write(MemorySegment.ofArray(buf), 3),
                    "an unaligned write must read its edge blocks");
            assertThrows(NonReadableChannelException.class, () -> wo.read(MemorySegment.ofArray(buf), 3));

            io.close();
            ExecutionException closed = assertThrows(ExecutionException.class,
                    () -> io.read(MemorySegment.ofArray(buf), 0).get());
            assertInstanceOf(ClosedChannelException.class, closed.getCause());
        }
    }

    /**
     * What the edges need: a write of whole blocks from a heap segment needs no edge read (so a
     * write-only file takes it); a write or read at position 0 is fine; the covering range may be
     * exactly one transfer long and no more; after close, writes fail like reads; the helper names its
     * file and state.
     */
    @Test
    void wholeBlocksNeedNoReadAndTheRangeLimitIsTheCoveringRange() throws Exception {
        Path dir = TestFiles.newDirectory("unaligned-whole");
        Path path = dir.resolve("f");
        Files.write(path, randomBytes(5, 8192));
        int arenas = dev.kaio.internal.sys.NativeResources.arenas();
        try (AioContext ctx = AioContext.open(8);
                AioFile writeOnly = AioFile.open(ctx, path, WRITE, AioOpenOption.DIRECT);
                AioFile buffered = AioFile.open(ctx, path, READ)) {
            UnalignedIo wo = UnalignedIo.of(writeOnly);
            int a = wo.alignment();
            assertTrue(a > 1, "O_DIRECT: an alignment");
            byte[] block = randomBytes(6, a);
            assertEquals(a, await(wo.write(MemorySegment.ofArray(block), 0)), "whole blocks from the heap, at 0");
            assertEquals(a, await(wo.write(MemorySegment.ofArray(block), a)), "and at the next block");
            assertBytesEqual(block, Arrays.copyOf(Files.readAllBytes(path), a), "the first block");
            assertSame(writeOnly, wo.file());
            assertEquals("UnalignedIo[" + writeOnly + ", alignment " + a + "]", wo.toString());
            wo.close();
            assertEquals("UnalignedIo[" + writeOnly + ", alignment " + a + ", closed]", wo.toString());
            ExecutionException closed = assertThrows(ExecutionException.class,
                    () -> wo.write(MemorySegment.ofArray(block), 0).get());
            assertInstanceOf(ClosedChannelException.class, closed.getCause());

            // alignment 1 (no O_DIRECT): the covering range is the range itself; exactly one transfer is
            // accepted (a native view longer than its memory: the read is at the end of the file, so the
            // kernel writes nothing into it), one byte more is not
            try (Arena arena = Arena.ofShared(); UnalignedIo io = UnalignedIo.of(buffered)) {
                assertEquals(1, io.alignment());
                MemorySegment small = arena.allocate(a, 8);
                long size = Files.size(path);
                assertEquals(0, await(io.read(small.reinterpret(AioFile.MAX_TRANSFER), size)),
                        "a range of exactly one transfer, at the end of the file");
                assertThrows(IllegalArgumentException.class,
                        () -> io.read(small.reinterpret(AioFile.MAX_TRANSFER + 1), size));
                byte[] first = new byte[10];
                assertEquals(10, await(io.read(MemorySegment.ofArray(first), 0)), "a read at 0");
                assertBytesEqual(Arrays.copyOf(block, 10), first, "the first bytes");
            }
        }
        assertEquals(arenas, dev.kaio.internal.sys.NativeResources.arenas(), "every bounce buffer was freed");
    }

    /** A native segment holding {@code data} at an address {@code offset} bytes past an 8-byte boundary. */
    private static MemorySegment oddNative(Arena arena, byte[] data, int offset) {
        MemorySegment s = arena.allocate(data.length + offset, 8).asSlice(offset, data.length);
        s.copyFrom(MemorySegment.ofArray(data));
        return s;
    }
}
