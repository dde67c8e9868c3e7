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
package dev.kaio.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.kaio_aio_ring;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How kaio reads a completion ring: the header checks that decide whether the ring is read at all,
 * and head/tail arithmetic, wrap-around and partial reaps, on rings laid out in native memory as
 * fs/aio.c lays them out (struct aio_ring, then nr io_events). The kernel's own ring is read by
 * KernelFeaturesTest, AioQueueTest and NativePathTest; here every state can be set exactly.
 */
class CompletionRingTest {

    private static final long HEADER = kaio_aio_ring.sizeof();
    private static final long EVENT = Iocbs.IO_EVENT_SIZE;

    /** A ring header as the kernel writes it, for {@code nr} events, with head and tail. */
    private static MemorySegment ring(Arena arena, int nr, int head, int tail) {
        MemorySegment r = arena.allocate(HEADER + EVENT * Math.max(nr, 1), 64);
        kaio_aio_ring.nr(r, nr);
        kaio_aio_ring.head(r, head);
        kaio_aio_ring.tail(r, tail);
        kaio_aio_ring.magic(r, LinuxH.KAIO_AIO_RING_MAGIC());
        kaio_aio_ring.compat_features(r, 1);
        kaio_aio_ring.incompat_features(r, LinuxH.KAIO_AIO_RING_INCOMPAT_FEATURES());
        kaio_aio_ring.header_length(r, (int) HEADER);
        for (int i = 0; i < nr; i++) {
            Iocbs.setEvent(r, HEADER + EVENT * i, 1000 + i, 0, -i, 0); // data 1000+i, res -i: slot i
        }
        return r;
    }

    private static List<Long> drained(CompletionRing ring) {
        List<Long> data = new ArrayList<>();
        int n = ring.drain((userData, result) -> {
            assertEquals(-(userData - 1000), result, "data and res of one event stay together");
            data.add(userData);
        });
        assertEquals(data.size(), n);
        return data;
    }

    @Test
    void onlyAHeaderKaioKnowsIsRead() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment good = ring(arena, 8, 0, 0);
            CompletionRing r = CompletionRing.attach(good.address());
            assertNotNull(r);
            assertEquals(8, r.capacity());

            MemorySegment badMagic = ring(arena, 8, 0, 0);
            kaio_aio_ring.magic(badMagic, LinuxH.KAIO_AIO_RING_MAGIC() + 1);
            assertNull(CompletionRing.attach(badMagic.address()), "another magic");

            MemorySegment incompat = ring(arena, 8, 0, 0);
            kaio_aio_ring.incompat_features(incompat, LinuxH.KAIO_AIO_RING_INCOMPAT_FEATURES() + 1);
            assertNull(CompletionRing.attach(incompat.address()), "incompatible features");

            MemorySegment longer = ring(arena, 8, 0, 0);
            kaio_aio_ring.header_length(longer, (int) HEADER + 8);
            assertNull(CompletionRing.attach(longer.address()), "a longer header");
            kaio_aio_ring.header_length(longer, (int) HEADER - 8);
            assertNull(CompletionRing.attach(longer.address()), "a shorter header");

            assertNull(CompletionRing.attach(ring(arena, 0, 0, 0).address()), "no events");
            assertNull(CompletionRing.attach(ring(arena, -1, 0, 0).address()), "a negative size");
            assertNotNull(CompletionRing.attach(ring(arena, 1, 0, 0).address()), "one event");
        }
    }

    @Test
    void drainHandsOutEveryEventFromHeadToTailAcrossTheEnd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = ring(arena, 8, 6, 2);
            CompletionRing r = CompletionRing.attach(seg.address());
            assertEquals(4, r.available());
            assertEquals(6, r.oldestWaiting());
            assertEquals(List.of(1006L, 1007L, 1000L, 1001L), drained(r));
            assertEquals(2, kaio_aio_ring.head(seg), "head moved to the tail: the slots are the kernel's again");
            assertEquals(0, r.available());
            assertEquals(-1, r.oldestWaiting());
            assertEquals(List.of(), drained(r), "an empty ring");

            kaio_aio_ring.tail(seg, 5);
            assertEquals(List.of(1002L, 1003L, 1004L), drained(r), "without wrapping");
            assertEquals(5, kaio_aio_ring.head(seg));

            kaio_aio_ring.tail(seg, 4); // 7 waiting: all but one slot
            assertEquals(7, r.available());
            assertEquals(List.of(1005L, 1006L, 1007L, 1000L, 1001L, 1002L, 1003L), drained(r));
        }
    }

    @Test
    void reapCopiesAtMostMaxEventsAndSplitsAtTheEnd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = ring(arena, 8, 6, 2);
            CompletionRing r = CompletionRing.attach(seg.address());
            MemorySegment dst = arena.allocate(EVENT * 10, 8);
            assertEquals(0, r.reap(dst, 0, 0), "max 0");
            assertEquals(6, kaio_aio_ring.head(seg));

            assertEquals(3, r.reap(dst, EVENT, 3), "at most max");
            assertEquals(1, kaio_aio_ring.head(seg), "head advanced by 3, past the end");
            assertEquals(List.of(1006L, 1007L, 1000L), data(dst, 1, 3));
            assertEquals(-6, Iocbs.eventRes(dst, EVENT));

            assertEquals(1, r.reap(dst, 0, 10), "what is left");
            assertEquals(List.of(1001L), data(dst, 0, 1));
            assertEquals(2, kaio_aio_ring.head(seg));
            assertEquals(0, r.reap(dst, 0, 10), "empty");

            kaio_aio_ring.tail(seg, 7);
            assertEquals(5, r.reap(dst, 0, 10), "without wrapping");
            assertEquals(List.of(1002L, 1003L, 1004L, 1005L, 1006L), data(dst, 0, 5));
            assertEquals(7, kaio_aio_ring.head(seg));

            kaio_aio_ring.tail(seg, 0);
            assertEquals(1, r.reap(dst, 0, 10), "the last slot, head wraps to 0");
            assertEquals(0, kaio_aio_ring.head(seg));

            // several events on each side of the end: both parts land where they belong
            kaio_aio_ring.head(seg, 5);
            kaio_aio_ring.tail(seg, 3);
            assertEquals(6, r.reap(dst, EVENT * 2, 10), "three before the end, three after");
            assertEquals(List.of(1005L, 1006L, 1007L, 1000L, 1001L, 1002L), data(dst, 2, 6));
            assertEquals(3, kaio_aio_ring.head(seg));
        }
    }

    @Test
    void aHeadOrTailOutsideTheRingIsLeftToIoGetevents() {
        try (Arena arena = Arena.ofConfined()) {
            int[][] states = {{8, 2}, {2, 8}, {-1, 2}, {2, -1}, {9, 9}};
            for (int[] s : states) {
                MemorySegment seg = ring(arena, 8, 0, 0);
                CompletionRing r = CompletionRing.attach(seg.address());
                kaio_aio_ring.head(seg, s[0]);
                kaio_aio_ring.tail(seg, s[1]);
                String what = "head " + s[0] + ", tail " + s[1];
                if (s[0] != s[1]) {
                    List<Long> data = new ArrayList<>();
                    assertEquals(CompletionRing.UNREADABLE, r.drain((userData, result) -> data.add(userData)),
                            what + ": drain says the ring cannot be read (the kernel port then calls io_getevents)");
                    assertEquals(List.of(), data, what);
                    assertEquals(0, r.reap(arena.allocate(EVENT * 8, 8), 0, 8), what);
                }
                assertEquals(s[0], kaio_aio_ring.head(seg), what + ": head untouched");
            }
        }
    }

    @Test
    void theKernelsRingPassesTheChecks() throws Exception {
        long ctx = KernelContexts.setup(16);
        try {
            CompletionRing r = CompletionRing.attach(ctx);
            assertNotNull(r, "this kernel's ring header is one kaio reads");
            assertTrue(r.capacity() >= 17, "capacity " + r.capacity());
            assertEquals(0, r.available());
            assertEquals(-1, r.oldestWaiting());
        } finally {
            KernelContexts.destroy(ctx);
        }
    }

    private static List<Long> data(MemorySegment events, int from, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(Iocbs.eventData(events, EVENT * i));
        }
        return out;
    }
}
