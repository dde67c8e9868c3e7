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
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Every kind of ByteBuffer that the JDK's channel tests use, for parameterized tests. */
public final class BufferKinds {

    private BufferKinds() {}

    /** A named way to make a fresh buffer of one kind. */
    public record Kind(String name, Supplier<ByteBuffer> create) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * 16-byte buffers: heap, a slice of a wrapped array, direct, and direct buffers of memory segments
     * of the global, an automatic and a shared arena; then a slice of each that starts one byte in.
     */
    public static Stream<Kind> all() {
        int n = 16;
        List<Kind> kinds = List.of(
                new Kind("heap", () -> ByteBuffer.allocate(n)),
                new Kind("wrapped array", () -> ByteBuffer.wrap(new byte[n + 8], 4, n).slice()),
                new Kind("direct", () -> ByteBuffer.allocateDirect(n)),
                new Kind("global-arena segment", () -> Arena.global().allocate(n).asByteBuffer()),
                new Kind("automatic-arena segment", () -> Arena.ofAuto().allocate(n).asByteBuffer()),
                new Kind("shared-arena segment", () -> Arena.ofShared().allocate(n).asByteBuffer()));
        return Stream.concat(kinds.stream(),
                kinds.stream().map(k -> new Kind(k.name() + ", sliced", () -> k.create().get().slice(1, n - 1))));
    }
}
