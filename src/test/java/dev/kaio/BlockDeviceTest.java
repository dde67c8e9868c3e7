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
import static dev.kaio.testing.TestFiles.toBytes;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** O_DIRECT on a real block device: a loop device attached for the test and detached after it. */
class BlockDeviceTest {

    @ParameterizedTest(name = "{0}-byte sectors")
    @ValueSource(ints = {512, 4096})
    void oDirectReadsAndWritesOnALoopDevice(int sectorSize) throws Exception {
        LoopDevice.assumeAvailable();
        Path dir = TestFiles.newDirectory("blockdev");
        long size = 16L << 20;
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("backing.img"), size, sectorSize);
                AioContext ctx = AioContext.open(64);
                AioFile dev = AioFile.open(ctx, loop.path(), READ, WRITE, AioOpenOption.DIRECT);
                Arena arena = Arena.ofShared()) {
            assertEquals(size, dev.size(), "ioctl(BLKGETSIZE64)");
            DirectIoAlignment a = dev.alignmentInfo();
            assertEquals(sectorSize, a.offset(), "logical block size from " + a.source());
            assertTrue(a.source().equals("ioctl(BLKSSZGET)") || a.source().equals("statx(STATX_DIOALIGN)"), a.source());
            int align = dev.alignment();

            // 64 blocks in flight, then verify through the device node with FileChannel
            int bs = 4 * align;
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            List<byte[]> datas = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                byte[] data = randomBytes(sectorSize + i, bs);
                MemorySegment b = DirectBuffers.allocate(arena, bs, align);
                b.copyFrom(MemorySegment.ofArray(data));
                datas.add(data);
                writes.add(dev.write(b, (long) i * bs));
            }
            for (CompletableFuture<Integer> w : writes) {
                assertEquals(bs, w.join());
            }
            dev.fdatasync().join();
            for (int i = 0; i < 64; i += 7) {
                assertBytesEqual(datas.get(i), readWithFileChannel(loop.path(), (long) i * bs, bs), "block " + i);
            }

            // vectored read of blocks 3..5 into three segments
            List<MemorySegment> segs = List.of(DirectBuffers.allocate(arena, bs, align),
                    DirectBuffers.allocate(arena, bs, align), DirectBuffers.allocate(arena, bs, align));
            assertEquals(3L * bs, dev.readv(segs, 3L * bs).join());
            for (int k = 0; k < 3; k++) {
                assertBytesEqual(datas.get(3 + k), toBytes(segs.get(k)), "readv segment " + k);
            }
            // vectored write then read back with FileChannel
            assertEquals(3L * bs, dev.writev(List.of(segs.get(2), segs.get(1), segs.get(0)), 100L * bs).join());
            dev.fsync().join();
            assertBytesEqual(datas.get(5), readWithFileChannel(loop.path(), 100L * bs, bs), "writev segment 0");

            // a length that is not a multiple of the logical block size is refused by the device
            if (sectorSize == 4096) {
                MemorySegment half = DirectBuffers.allocate(arena, 512, 4096);
                CompletionException e = assertThrows(CompletionException.class, () -> dev.write(half, 0).join());
                AioException aio = (AioException) e.getCause();
                assertEquals(Errno.EINVAL, aio.errno());
                assertTrue(aio.getMessage().contains("length 512 is not a multiple of 4096"), aio.getMessage());
            }
            // reading past the end of the device returns 0 bytes
            assertEquals(0, dev.read(DirectBuffers.allocate(arena, align, align), size).join());
        }
    }
}
