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
package dev.kaio.harness;

import static dev.kaio.testing.TestFiles.assertBytesEqual;
import static dev.kaio.testing.TestFiles.randomBytes;
import static dev.kaio.testing.TestFiles.readWithFileChannel;
import static dev.kaio.testing.TestFiles.toBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kaio.AioException;
import dev.kaio.AioFile;
import dev.kaio.DirectBuffers;
import dev.kaio.testing.Futures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One operation of the support matrix, run against an open file and verified byte for byte through
 * FileChannel. Returns "works", or the errno name the kernel answered.
 */
final class MatrixCase {

    private MatrixCase() {}

    /** Operations of the matrix: read, write, readv/writev with N segments, fsync, fdatasync. */
    static final List<String> OPS = List.of("read", "write", "readv x1", "readv x8", "readv x64", "readv x1024",
            "writev x1", "writev x8", "writev x64", "writev x1024", "fsync", "fdatasync");

    /**
     * Opens {@code path} (created) buffered or with O_DIRECT, runs {@code op}, and records the outcome
     * under {@code fs}/{@code mode}. Returns the outcome ("works", an errno name, or "open: ERRNO").
     */
    static String openRunAndRecord(String fs, String mode, String op, Path dir) throws Exception {
        Path path = java.nio.file.Files.createDirectories(dir).resolve(mode.replace('/', '_') + "-" + op.replace(' ', '_'));
        boolean direct = mode.equals("O_DIRECT");
        try (dev.kaio.AioContext ctx = dev.kaio.AioContext.open(8); Arena arena = Arena.ofShared()) {
            AioFile f;
            try {
                f = direct ? AioFile.open(ctx, path, java.nio.file.StandardOpenOption.READ,
                        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.CREATE,
                        dev.kaio.AioOpenOption.DIRECT)
                        : AioFile.open(ctx, path, java.nio.file.StandardOpenOption.READ,
                                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.CREATE);
            } catch (AioException e) {
                MatrixRecorder.record(fs, mode, op, "open: " + e.errnoName(), "");
                return "open: " + e.errnoName();
            }
            try (f) {
                String outcome = run(f, path, op, arena);
                MatrixRecorder.record(fs, mode, op, outcome, direct ? "alignment " + f.alignment() + " from "
                        + f.alignmentInfo().source() : "");
                return outcome;
            }
        }
    }

    static String run(AioFile f, Path path, String op, Arena arena) throws Exception {
        int unit = Math.max(f.alignment(), 512);
        long pos = 2L * unit;
        try {
            switch (op.split(" ")[0]) {
                case "read" -> {
                    byte[] data = randomBytes(op.hashCode(), 16 * unit);
                    dev.kaio.testing.TestFiles.writeWithFileChannel(path, pos, data);
                    MemorySegment b = DirectBuffers.allocate(arena, data.length, unit);
                    assertEquals(data.length, await(f.read(b, pos)));
                    assertBytesEqual(data, toBytes(b), op);
                }
                case "write" -> {
                    byte[] data = randomBytes(op.hashCode(), 16 * unit);
                    MemorySegment b = DirectBuffers.allocate(arena, data.length, unit);
                    b.copyFrom(MemorySegment.ofArray(data));
                    assertEquals(data.length, await(f.write(b, pos)));
                    assertBytesEqual(data, readWithFileChannel(path, pos, data.length), op);
                }
                case "readv", "writev" -> {
                    int n = Integer.parseInt(op.substring(op.indexOf('x') + 1));
                    byte[] data = randomBytes(op.hashCode(), n * unit);
                    List<MemorySegment> segs = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        segs.add(DirectBuffers.allocate(arena, unit, unit));
                    }
                    if (op.startsWith("readv")) {
                        dev.kaio.testing.TestFiles.writeWithFileChannel(path, pos, data);
                        assertEquals((long) data.length, await(f.readv(segs, pos)));
                        byte[] got = new byte[data.length];
                        for (int i = 0; i < n; i++) {
                            System.arraycopy(toBytes(segs.get(i)), 0, got, i * unit, unit);
                        }
                        assertBytesEqual(data, got, op);
                    } else {
                        for (int i = 0; i < n; i++) {
                            segs.get(i).copyFrom(MemorySegment.ofArray(data).asSlice((long) i * unit, unit));
                        }
                        assertEquals((long) data.length, await(f.writev(segs, pos)));
                        assertBytesEqual(data, readWithFileChannel(path, pos, data.length), op);
                    }
                }
                case "fsync" -> await(f.fsync());
                case "fdatasync" -> await(f.fdatasync());
                default -> throw new IllegalArgumentException(op);
            }
            return "works";
        } catch (AioException e) {
            return e.errnoName();
        }
    }

    static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return Futures.await(f, 60);
    }
}
