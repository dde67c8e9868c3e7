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

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * A 4 KiB block that says what it is: magic, block index, generation, a payload derived from (block,
 * generation), and a CRC32C of the rest in its last 4 bytes. The crash test writes these, and after
 * the crash tells an intact block of a given generation from a torn or stale one. ({@code kaio soak},
 * in the tools module, writes the same format.)
 */
public final class ChecksummedBlock {

    /** The block size. */
    public static final int SIZE = 4096;

    private static final long MAGIC = 0x6b61696f_736f616bL; // "kaiosoak"

    private ChecksummedBlock() {}

    /** Writes generation {@code generation} of {@code block} into a 4 KiB segment. */
    public static void fill(MemorySegment seg, int block, long generation) {
        seg.set(JAVA_LONG_UNALIGNED, 0, MAGIC);
        seg.set(JAVA_LONG_UNALIGNED, 8, block);
        seg.set(JAVA_LONG_UNALIGNED, 16, generation);
        long x = block * 0x9E3779B97F4A7C15L ^ generation;
        for (long off = 24; off < SIZE - 4; off += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            seg.set(JAVA_LONG_UNALIGNED, off, x);
        }
        seg.set(JAVA_INT_UNALIGNED, SIZE - 4, crc(seg));
    }

    /** The generation a block holds according to its header (check it with {@link #check}). */
    public static long generation(MemorySegment seg) {
        return seg.get(JAVA_LONG_UNALIGNED, 16);
    }

    /**
     * Null if {@code seg} holds generation {@code generation} of {@code block} intact (generation 0:
     * never written, anything goes), else what is wrong.
     */
    public static String check(MemorySegment seg, int block, long generation) {
        if (generation == 0) {
            return null;
        }
        if (seg.get(JAVA_LONG_UNALIGNED, 0) != MAGIC) {
            return "block " + block + ": no header (expected generation " + generation + ")";
        }
        if (seg.get(JAVA_INT_UNALIGNED, SIZE - 4) != crc(seg)) {
            return "block " + block + ": checksum mismatch";
        }
        long b = seg.get(JAVA_LONG_UNALIGNED, 8);
        long g = seg.get(JAVA_LONG_UNALIGNED, 16);
        if (b != block || g != generation) {
            return "block " + block + ": holds block " + b + " generation " + g + ", expected generation " + generation;
        }
        return null;
    }

    private static int crc(MemorySegment seg) {
        CRC32C c = new CRC32C();
        c.update(seg.asSlice(0, SIZE - 4).asByteBuffer());
        return (int) c.getValue();
    }
}
