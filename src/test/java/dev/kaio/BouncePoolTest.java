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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kaio.internal.sys.NativeResources;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The heap-buffer bounce pool never hands out memory of its freed arena. */
class BouncePoolTest {

    @Test
    void aClosedPoolRefusesToHandOutBuffersAndFreesOnceTheLastComesBack() throws Exception {
        int arenasBefore = NativeResources.arenas();
        BouncePool pool = new BouncePool(512);
        pool.take(4096).close(); // now pooled
        BouncePool.Lease held = pool.take(8192);
        pool.close();
        assertThrows(ClosedChannelException.class, () -> pool.take(4096));
        held.segment.fill((byte) 1); // still valid: it is out
        assertEquals(arenasBefore + 1, NativeResources.arenas(), "freed while a buffer was out");
        held.close();
        assertEquals(arenasBefore, NativeResources.arenas(), "freed when the last buffer came back");
        assertThrows(ClosedChannelException.class, () -> pool.take(4096));
        assertThrows(ClosedChannelException.class, () -> pool.take(4 << 20));
        pool.close(); // idempotent
    }

    @Test
    void takesRacingCloseGetAUsableBufferOrClosedChannelException() throws Exception {
        int arenasBefore = NativeResources.arenas();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
        try {
            for (int round = 0; round < 300; round++) {
                BouncePool pool = new BouncePool(512);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> tasks = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int size = 4096 << t;
                    tasks.add(threads.submit(() -> {
                        go.await();
                        for (int i = 0; i < 50; i++) {
                            try (BouncePool.Lease lease = pool.take(size)) {
                                lease.segment.fill((byte) i); // fails if its arena was closed
                            } catch (ClosedChannelException expected) {
                                // taken after close()
                            } catch (Throwable e) {
                                unexpected.add(e);
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                pool.close();
                for (Future<?> f : tasks) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            threads.shutdown();
        }
        assertEquals(List.of(), unexpected.stream().map(Throwable::toString).distinct().toList());
        assertEquals(arenasBefore, NativeResources.arenas(), "every pool's arena closed exactly when its last buffer came back");
    }

    /** A returned buffer is handed out again, for requests of its size class (powers of two from 4 KiB). */
    @Test
    void buffersAreReusedWithinTheirSizeClass() throws Exception {
        try (BouncePool pool = new BouncePool(512)) {
            BouncePool.Lease a = pool.take(4096);
            assertEquals(4096, a.segment.byteSize(), "exactly the size asked for");
            long address = a.segment.address();
            assertEquals(0, address % 4096, "aligned to at least 4 KiB");
            a.close();
            BouncePool.Lease b = pool.take(1);
            assertEquals(1, b.segment.byteSize());
            assertEquals(address, b.segment.address(), "the 4 KiB class: 1 byte to 4 KiB");
            b.close();
            BouncePool.Lease c = pool.take(4097);
            assertFalse(c.segment.address() == address, "4 KiB + 1 is the 8 KiB class");
            c.close();
            BouncePool.Lease d = pool.take(8192);
            assertEquals(c.segment.address(), d.segment.address(), "8 KiB: the buffer 4 KiB + 1 gave back");
            d.close();
        }
    }

    /** The largest pooled class is 1 MiB; a larger buffer has an arena of its own, freed when it comes back. */
    @Test
    void buffersAboveOneMibAreNotPooled() throws Exception {
        try (BouncePool pool = new BouncePool(512)) {
            BouncePool.Lease mib = pool.take(1 << 20);
            long address = mib.segment.address();
            mib.close();
            BouncePool.Lease again = pool.take(1 << 20);
            assertEquals(address, again.segment.address(), "1 MiB is pooled");
            again.close();

            BouncePool.Lease big = pool.take((1 << 20) + 1);
            MemorySegment seg = big.segment;
            assertEquals((1 << 20) + 1, seg.byteSize());
            seg.fill((byte) 7);
            big.close();
            assertFalse(seg.scope().isAlive(), "its own arena is freed when it comes back");
        }
    }

    /** At most 64 buffers of a class are kept; the rest are freed with the pool. */
    @Test
    void aSizeClassKeepsAtMost64Buffers() throws Exception {
        try (BouncePool pool = new BouncePool(512)) {
            List<BouncePool.Lease> out = new ArrayList<>();
            Set<Long> first = new HashSet<>();
            for (int i = 0; i < 66; i++) {
                BouncePool.Lease l = pool.take(4096);
                out.add(l);
                first.add(l.segment.address());
            }
            out.forEach(BouncePool.Lease::close);
            out.clear();
            int reused = 0;
            for (int i = 0; i < 66; i++) {
                BouncePool.Lease l = pool.take(4096);
                out.add(l);
                if (first.contains(l.segment.address())) {
                    reused++;
                }
            }
            out.forEach(BouncePool.Lease::close);
            assertEquals(64, reused, "buffers kept of the 66 given back");
        }
    }

    @Test
    void aClosedPoolKeepsNothingGivenBack() throws Exception {
        BouncePool pool = new BouncePool(512);
        BouncePool.Lease a = pool.take(4096);
        BouncePool.Lease b = pool.take(4096);
        pool.close();
        a.close(); // after close: freed with the arena, not pooled
        assertTrue(b.segment.scope().isAlive(), "the arena lives while a buffer is out");
        b.close();
        assertFalse(b.segment.scope().isAlive(), "freed once the last buffer came back");
    }
}
