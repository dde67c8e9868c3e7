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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.kaio_aio_ring;
import dev.kaio.internal.sys.NativeAccess;
import dev.kaio.testing.AioNr;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Proves that the kernel, not some fallback, is doing the work. */
class NativePathTest {

    @Test
    void nativeAccessIsEnabledForTheTests() {
        assertTrue(NativeAccess.isEnabled(), "surefire must pass " + NativeAccess.FLAG);
    }

    @Test
    void theContextIdIsTheAddressOfAKernelCompletionRing() throws Exception {
        AioNr.assertCountedWhileOpen(64, () -> AioContext.open(64)); // io_setup(queueDepth), io_destroy on close
        String hex;
        try (AioContext ctx = AioContext.open(64)) {
            long id = ctx.contextId();
            assertNotEquals(0, id);

            // the ring is mapped in this process: /proc/self/maps shows it as [aio]
            String maps = Files.readString(Path.of("/proc/self/maps"));
            hex = Long.toHexString(id);
            assertTrue(maps.lines().anyMatch(l -> l.startsWith(hex + "-") && l.contains("aio")),
                    "no [aio] mapping at 0x" + hex);

            MemorySegment ring = MemorySegment.ofAddress(id).reinterpret(kaio_aio_ring.layout().byteSize());
            assertEquals(LinuxH.KAIO_AIO_RING_MAGIC(), kaio_aio_ring.magic(ring));
            assertEquals(LinuxH.KAIO_AIO_RING_INCOMPAT_FEATURES(), kaio_aio_ring.incompat_features(ring));
            assertEquals(kaio_aio_ring.layout().byteSize(), kaio_aio_ring.header_length(ring));
            assertTrue(kaio_aio_ring.nr(ring) >= 65, "ring holds at least the requested events");

            // a completed request moves the ring's tail
            int tailBefore = ring.get(ValueLayout.JAVA_INT, kaio_aio_ring.tail$offset());
            Path f = dev.kaio.testing.TestFiles.newDirectory("native").resolve("f");
            Files.write(f, new byte[4096]);
            try (AioFile file = AioFile.open(ctx, f, java.nio.file.StandardOpenOption.READ);
                    var arena = java.lang.foreign.Arena.ofConfined()) {
                assertEquals(4096, file.read(arena.allocate(4096), 0).join());
            }
            int tailAfter = ring.get(ValueLayout.JAVA_INT, kaio_aio_ring.tail$offset());
            assertNotEquals(tailBefore, tailAfter, "the kernel wrote an io_event into the ring");
        }
        // this process's own view (fs.aio-nr is machine-wide): io_destroy unmapped the ring
        String mapsAfter = Files.readString(Path.of("/proc/self/maps"));
        assertFalse(mapsAfter.lines().anyMatch(l -> l.startsWith(hex + "-") && l.contains("aio")),
                "close() destroys the kernel context: [aio] still mapped at 0x" + hex);
    }

    /**
     * A ring whose head is out of range (a state the kernel never produces, here written on purpose)
     * is not trusted: completions are then collected with io_getevents, which normalises the head, so
     * a request still completes instead of waiting forever for an event that sits in the ring.
     */
    @Test
    void aRingWithAHeadOutOfRangeIsReapedWithIoGetevents() throws Exception {
        Path f = dev.kaio.testing.TestFiles.newDirectory("native").resolve("head");
        Files.write(f, new byte[2 * 4096]);
        for (boolean waiter : new boolean[] {true, false}) {
            try (AioContext ctx = AioContext.open(8);
                    AioFile file = AioFile.open(ctx, f, java.nio.file.StandardOpenOption.READ);
                    var arena = java.lang.foreign.Arena.ofConfined()) {
                assertTrue(ctx.reapsFromRing());
                MemorySegment ring = MemorySegment.ofAddress(ctx.contextId())
                        .reinterpret(kaio_aio_ring.layout().byteSize());
                int nr = kaio_aio_ring.nr(ring);
                int tail = ring.get(ValueLayout.JAVA_INT, kaio_aio_ring.tail$offset());
                // nothing is in flight: head == tail; the same index plus nr is out of range for kaio's
                // reader, and the kernel reads it modulo nr, as the same position
                ring.set(ValueLayout.JAVA_INT, kaio_aio_ring.head$offset(), tail + nr);
                var read = file.read(arena.allocate(4096, 4096), 4096);
                // get() reaps on this thread; waiting on a plain future that a callback completes
                // leaves it to the reaper thread (the bound only turns a hang into a failure)
                var seen = new java.util.concurrent.CompletableFuture<Integer>();
                read.whenComplete((v, e) -> seen.complete(v));
                int n = waiter ? read.get(20, java.util.concurrent.TimeUnit.SECONDS)
                        : seen.get(20, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(4096, n);
                assertTrue(ctx.syscallCompletions() >= 1, "collected with io_getevents: " + ctx.syscallCompletions());
            }
        }
    }
}
