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

import static dev.kaio.testing.Blocks.BLOCK;
import static dev.kaio.testing.Blocks.assertFilled;
import static dev.kaio.testing.Blocks.file;
import static dev.kaio.testing.Blocks.filled;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link AioFile}'s handler forms (an {@link AioHandler} and an attachment instead of a future), each
 * doing to the file what its future form does; and the checks every form makes before anything is
 * submitted: the file's direction, negative positions, the largest single transfer.
 */
class AioFileHandlersTest {


    @Test
    void everyHandlerFormDoesWhatItsFutureFormDoes() throws Exception {
        Path path = file("handler-forms", 8);
        byte[] before = Files.readAllBytes(path);
        CompletionControlTest.CountingHandler transfers = new CompletionControlTest.CountingHandler(3);
        CompletionControlTest.CountingHandler after = new CompletionControlTest.CountingHandler(3);
        try (AioContext ctx = AioContext.open(8); AioFile file = AioFile.open(ctx, path, READ, WRITE);
                Arena arena = Arena.ofShared()) {
            MemorySegment r1 = arena.allocate(BLOCK, 8);
            MemorySegment r2 = arena.allocate(BLOCK, 8);
            file.write(filled(arena, 1), 0, IoOptions.NONE, 1, transfers);
            file.writev(List.of(filled(arena, 2), filled(arena, 3)), BLOCK, IoOptions.NONE, 2, transfers);
            file.readv(List.of(r1, r2), 6 * BLOCK, IoOptions.NONE, 3, transfers);
            transfers.awaitAll();
            MemorySegment r3 = arena.allocate(BLOCK, 8);
            file.fdatasync(4, after);
            file.fsync(5, after);
            file.read(r3, BLOCK, IoOptions.NONE, 6, after); // after the writev ended: reads what it wrote
            after.awaitAll();

            assertEquals((long) BLOCK, transfers.outcomes.get(1), "write");
            assertEquals(2L * BLOCK, transfers.outcomes.get(2), "writev");
            assertEquals(2L * BLOCK, transfers.outcomes.get(3), "readv");
            assertEquals(0L, after.outcomes.get(4), "fdatasync");
            assertEquals(0L, after.outcomes.get(5), "fsync");
            assertEquals((long) BLOCK, after.outcomes.get(6), "read");
            for (int a = 1; a <= 6; a++) {
                assertEquals(1, (a <= 3 ? transfers : after).calls.get(a).get(), "calls for request " + a);
            }
            assertFilled(path, 0, 1);
            assertFilled(path, BLOCK, 2);
            assertFilled(path, 2 * BLOCK, 3);
            TestFiles.assertBytesEqual(Arrays.copyOfRange(before, 6 * BLOCK, 7 * BLOCK), TestFiles.toBytes(r1), "readv 1");
            TestFiles.assertBytesEqual(Arrays.copyOfRange(before, 7 * BLOCK, 8 * BLOCK), TestFiles.toBytes(r2), "readv 2");
            byte[] twos = new byte[BLOCK];
            Arrays.fill(twos, (byte) 2);
            TestFiles.assertBytesEqual(twos, TestFiles.toBytes(r3), "read");
        }
    }

    @Test
    void everyFormChecksTheDirectionAndThePosition() throws Exception {
        Path path = file("handler-checks", 2);
        CompletionControlTest.CountingHandler never = new CompletionControlTest.CountingHandler(1);
        try (AioContext ctx = AioContext.open(4); AioFile readOnly = AioFile.open(ctx, path, READ);
                AioFile writeOnly = AioFile.open(ctx, path, WRITE); Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(BLOCK, 8);
            List<MemorySegment> vec = List.of(buf);
            assertThrows(NonReadableChannelException.class, () -> writeOnly.read(buf, 0, IoOptions.NONE, 1, never));
            assertThrows(NonReadableChannelException.class, () -> writeOnly.readv(vec, 0));
            assertThrows(NonReadableChannelException.class, () -> writeOnly.readv(vec, 0, IoOptions.NONE, 1, never));
            assertThrows(NonWritableChannelException.class, () -> readOnly.write(buf, 0, IoOptions.NONE, 1, never));
            assertThrows(NonWritableChannelException.class, () -> readOnly.writev(vec, 0));
            assertThrows(NonWritableChannelException.class, () -> readOnly.writev(vec, 0, IoOptions.NONE, 1, never));

            assertThrows(IllegalArgumentException.class, () -> writeOnly.write(buf, -1));
            assertThrows(IllegalArgumentException.class, () -> writeOnly.write(buf, -1, IoOptions.NONE, 1, never));
            assertThrows(IllegalArgumentException.class, () -> writeOnly.writev(vec, -1));
            assertThrows(IllegalArgumentException.class, () -> readOnly.readv(vec, -1));
            assertThrows(IllegalArgumentException.class, () -> readOnly.readv(vec, -1, IoOptions.NONE, 1, never));
            assertEquals(0, never.calls.size(), "a refused request never reaches its handler");
        }
    }

    /**
     * The largest single transfer is the kernel's MAX_RW_COUNT ({@link AioFile#MAX_TRANSFER}), accepted;
     * one byte more is refused before submission. The accepted read is at the end of a one-block file,
     * so the kernel writes one block into a buffer that is only that big (the segment's larger size is
     * a view, never filled).
     */
    @Test
    void theLargestTransferIsAcceptedAndOneByteMoreRefused() throws Exception {
        Path path = file("max-transfer", 1);
        try (AioContext ctx = AioContext.open(2); AioFile file = AioFile.open(ctx, path, READ);
                Arena arena = Arena.ofShared()) {
            MemorySegment block = arena.allocate(BLOCK, 8);
            MemorySegment max = block.reinterpret(AioFile.MAX_TRANSFER);
            assertEquals(BLOCK, file.read(max, 0).get(20, TimeUnit.SECONDS), "a short read at EOF");
            MemorySegment tooLong = block.reinterpret(AioFile.MAX_TRANSFER + 1);
            assertThrows(IllegalArgumentException.class, () -> file.read(tooLong, 0));
            assertThrows(IllegalArgumentException.class, () -> file.readv(List.of(tooLong), 0));
        }
    }
}
