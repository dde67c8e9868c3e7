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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** 4 KiB blocks for the request tests: a file of random blocks, a block of one byte value, and checking one. */
public final class Blocks {

    public static final int BLOCK = 4096;

    private Blocks() {}

    /** A new file of {@code blocks} random blocks (seeded by {@code name}) in a directory of its own. */
    public static Path file(String name, int blocks) throws Exception {
        Path path = TestFiles.newDirectory(name).resolve("data");
        Files.write(path, TestFiles.randomBytes(name.hashCode(), blocks * BLOCK));
        return path;
    }

    /** A block of {@code arena} filled with {@code value}. */
    public static MemorySegment filled(Arena arena, int value) {
        MemorySegment s = arena.allocate(BLOCK, 8);
        s.fill((byte) value);
        return s;
    }

    /** The block of {@code path} at {@code position} (read with FileChannel) is all {@code value}. */
    public static void assertFilled(Path path, long position, int value) throws Exception {
        byte[] expected = new byte[BLOCK];
        Arrays.fill(expected, (byte) value);
        TestFiles.assertBytesEqual(expected, TestFiles.readWithFileChannel(path, position, BLOCK),
                "the block at " + position);
    }
}
