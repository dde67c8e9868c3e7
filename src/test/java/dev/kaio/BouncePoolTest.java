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
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kaio.internal.sys.NativeResources;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
}
