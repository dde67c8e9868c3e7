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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Allocation and checks of native buffers suitable for O_DIRECT.
 *
 * {@snippet :
 * try (Arena arena = Arena.ofConfined()) {
 *     MemorySegment buf = DirectBuffers.allocate(arena, 64 * 1024, file.alignment());
 *     int n = file.read(buf, 0).join();
 * }
 * }
 */
public final class DirectBuffers {

    private DirectBuffers() {}

    /**
     * Allocates {@code byteSize} zeroed native bytes whose address is a multiple of {@code alignment}
     * (a power of two). The memory is freed when {@code arena} is closed: keep it open until every
     * request using the buffer has completed.
     *
     * @param arena     the arena that owns the memory
     * @param byteSize  the number of bytes
     * @param alignment the alignment of the address, e.g. {@link AioFile#alignment()}
     * @return the zeroed, aligned segment
     * @throws IllegalArgumentException if {@code alignment} is not a positive power of two or
     *                                  {@code byteSize} is negative
     */
    public static MemorySegment allocate(Arena arena, long byteSize, int alignment) {
        Objects.requireNonNull(arena, "arena");
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a positive power of two: " + alignment);
        }
        if (byteSize < 0) {
            throw new IllegalArgumentException("byteSize must not be negative: " + byteSize);
        }
        return arena.allocate(byteSize, alignment);
    }

    /**
     * Whether a segment suits O_DIRECT with this alignment.
     *
     * @param segment   the buffer
     * @param alignment the required alignment
     * @return true if the segment's address and size are both multiples of {@code alignment}
     */
    public static boolean isAligned(MemorySegment segment, int alignment) {
        return segment.address() % alignment == 0 && segment.byteSize() % alignment == 0;
    }

    /**
     * Rounds up to a multiple of an alignment.
     *
     * @param value     a size or position
     * @param alignment a power of two
     * @return {@code value} rounded up to a multiple of {@code alignment}
     */
    public static long alignUp(long value, int alignment) {
        return (value + alignment - 1) & -(long) alignment;
    }
}
