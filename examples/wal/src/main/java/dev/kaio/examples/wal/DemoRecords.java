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
package dev.kaio.examples.wal;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * The records the demo, the crash test and the benchmark append: 64 B to 4 KiB, the size and the bytes
 * a function of (seed, writer, sequence number), so that whoever reads the log back can tell which
 * record it is and whether it is intact. The first 12 bytes hold the writer and the sequence number.
 */
public final class DemoRecords {

    /** The smallest and largest payload. */
    public static final int MIN = 64;
    public static final int MAX = 4096;

    private DemoRecords() {}

    /** The payload of record {@code seq} of {@code writer}. */
    public static byte[] payload(long seed, int writer, long seq) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + writer * 0xBF58476D1CE4E5B9L + seq);
        byte[] b = new byte[MIN + r.nextInt(MAX - MIN + 1)];
        r.nextBytes(b);
        MemorySegment s = MemorySegment.ofArray(b);
        s.set(LogFormat.INT, 0, writer);
        s.set(LogFormat.LONG, 4, seq);
        return b;
    }

    /** The writer a payload says it is from. */
    public static int writer(MemorySegment payload) {
        return payload.get(LogFormat.INT, 0);
    }

    /** The sequence number a payload says it has. */
    public static long seq(MemorySegment payload) {
        return payload.get(LogFormat.LONG, 4);
    }

    /** Whether {@code payload} is exactly the record it says it is. */
    public static boolean intact(long seed, MemorySegment payload) {
        if (payload.byteSize() < MIN || payload.byteSize() > MAX) {
            return false;
        }
        byte[] expected = payload(seed, writer(payload), seq(payload));
        return expected.length == payload.byteSize()
                && MemorySegment.mismatch(MemorySegment.ofArray(expected), 0, expected.length, payload, 0,
                        payload.byteSize()) == -1;
    }
}
