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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.internal.linux.LinuxH;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The small value classes of the public API: what each builds, the bounds it enforces (both sides of
 * each bound), and what it says about itself. Flag and class values are compared with the generated
 * bindings (which LayoutTest compares with gcc), not with literals copied from kaio.
 */
class ApiValuesTest {

    @Test
    void ioOptionsCombineFlagsPriorityAndRetry() {
        assertEquals(0, IoOptions.NONE.rwFlags());
        assertEquals(Set.of(), IoOptions.NONE.flags());
        assertNull(IoOptions.NONE.priority());
        assertFalse(IoOptions.NONE.retriesWithoutNowait());
        assertEquals("IoOptions[]", IoOptions.NONE.toString());

        IoOptions o = IoOptions.of(RwFlag.DSYNC).withFlags(RwFlag.NOWAIT, RwFlag.DSYNC);
        assertEquals(LinuxH.RWF_DSYNC() | LinuxH.RWF_NOWAIT(), o.rwFlags());
        assertEquals(EnumSet.of(RwFlag.DSYNC, RwFlag.NOWAIT), o.flags());
        assertEquals(0, IoOptions.NONE.rwFlags(), "NONE is unchanged: options are immutable");

        IoPriority be3 = IoPriority.of(IoPriority.IoClass.BE, 3);
        IoOptions all = o.withPriority(be3).retryWithoutNowait();
        assertSame(be3, all.priority());
        assertTrue(all.retriesWithoutNowait());
        assertEquals(o.rwFlags(), all.rwFlags(), "flags kept");
        assertFalse(o.retriesWithoutNowait(), "the original is unchanged");
        assertNull(o.priority());
        assertEquals("IoOptions[DSYNC, NOWAIT] IoPriority[ioClass=BE, level=3] retryWithoutNowait", all.toString());
        assertSame(be3, all.withFlags(RwFlag.SYNC).priority(), "withFlags keeps the priority");
        assertTrue(all.withFlags(RwFlag.SYNC).retriesWithoutNowait(), "and the retry");
        assertTrue(all.withPriority(be3).retriesWithoutNowait(), "withPriority keeps the retry");
        assertEquals(all.rwFlags(), all.withPriority(be3).rwFlags(), "and the flags");
        assertEquals(EnumSet.allOf(RwFlag.class), IoOptions.of(RwFlag.values()).flags());

        assertThrows(NullPointerException.class, () -> IoOptions.of(RwFlag.DSYNC, null));
        assertThrows(NullPointerException.class, () -> IoOptions.NONE.withPriority(null));
    }

    @Test
    void rwFlagsAreTheKernelsBits() {
        assertEquals(LinuxH.RWF_HIPRI(), RwFlag.HIPRI.bits());
        assertEquals(LinuxH.RWF_DSYNC(), RwFlag.DSYNC.bits());
        assertEquals(LinuxH.RWF_SYNC(), RwFlag.SYNC.bits());
        assertEquals(LinuxH.RWF_NOWAIT(), RwFlag.NOWAIT.bits());
        assertEquals(LinuxH.RWF_APPEND(), RwFlag.APPEND.bits());
    }

    @Test
    void ioPrioritiesEncodeClassAndLevelWithinTheirBounds() {
        int shift = LinuxH.IOPRIO_CLASS_SHIFT();
        assertEquals(LinuxH.IOPRIO_CLASS_BE() << shift, IoPriority.of(IoPriority.IoClass.BE, 0).value());
        assertEquals(LinuxH.IOPRIO_CLASS_RT() << shift | 7, IoPriority.of(IoPriority.IoClass.RT, 7).value());
        assertEquals(LinuxH.IOPRIO_CLASS_IDLE() << shift | 5, IoPriority.of(IoPriority.IoClass.IDLE, 5).value());
        assertEquals(LinuxH.IOPRIO_CLASS_RT(), IoPriority.IoClass.RT.value());
        assertEquals(LinuxH.IOPRIO_CLASS_IDLE(), IoPriority.IoClass.IDLE.value());
        assertThrows(IllegalArgumentException.class, () -> IoPriority.of(IoPriority.IoClass.BE, -1));
        assertThrows(IllegalArgumentException.class, () -> IoPriority.of(IoPriority.IoClass.BE, 8));
        assertThrows(NullPointerException.class, () -> IoPriority.of(null, 0));
    }

    @Test
    void directBuffersAreAlignedAndCheckTheirArguments() {
        try (Arena arena = Arena.ofConfined()) {
            for (int align : new int[] {1, 2, 512, 4096, 1 << 16}) {
                MemorySegment s = DirectBuffers.allocate(arena, 3 * align, align);
                assertEquals(0, s.address() % align, "alignment " + align);
                assertEquals(3L * align, s.byteSize());
                assertTrue(DirectBuffers.isAligned(s, align));
            }
            assertEquals(0, DirectBuffers.allocate(arena, 0, 4096).byteSize());
            MemorySegment s = DirectBuffers.allocate(arena, 8192, 4096);
            assertFalse(DirectBuffers.isAligned(s.asSlice(512), 4096), "address not a multiple");
            assertFalse(DirectBuffers.isAligned(s.asSlice(0, 4000), 4096), "size not a multiple");
            assertTrue(DirectBuffers.isAligned(s.asSlice(4096, 4096), 4096));
            for (int bad : new int[] {0, -4096, 3, 4095, 6144}) {
                assertThrows(IllegalArgumentException.class, () -> DirectBuffers.allocate(arena, 4096, bad),
                        "alignment " + bad);
            }
            assertThrows(IllegalArgumentException.class, () -> DirectBuffers.allocate(arena, -1, 512));
            assertThrows(NullPointerException.class, () -> DirectBuffers.allocate(null, 512, 512));
        }
        assertEquals(0, DirectBuffers.alignUp(0, 512));
        assertEquals(512, DirectBuffers.alignUp(1, 512));
        assertEquals(512, DirectBuffers.alignUp(512, 512));
        assertEquals(1024, DirectBuffers.alignUp(513, 512));
        assertEquals(8192, DirectBuffers.alignUp(4097, 4096));
    }

    @Test
    void errnoNamesAndExceptionsSayWhatFailed() {
        assertEquals("ENOTCONN", Errno.name(107), "from the C library: not in kaio's table");
        assertEquals("errno 100000", Errno.name(100000));
        assertEquals("Transport endpoint is not connected", Errno.description(107));
        assertEquals("error 100000", Errno.description(100000), "the C library has no text for it");

        AioException bare = new AioException(Errno.EIO, "io_submit", null);
        assertEquals("io_submit: EIO (Input/output error)", bare.getMessage());
        assertEquals("io_submit: EIO (Input/output error)", new AioException(Errno.EIO, "io_submit", "").getMessage());
        assertEquals("EIO", bare.errnoName());
        assertEquals("io_submit", bare.operation());
        assertEquals(Errno.EIO, bare.errno());

        WouldBlockException wb = new WouldBlockException("read", "4096 bytes at position 0 of /f");
        assertEquals(Errno.EAGAIN, wb.errno());
        assertEquals("read: EAGAIN (Resource temporarily unavailable): 4096 bytes at position 0 of /f", wb.getMessage());
    }

    @Test
    void limitsAlignmentsAndFeaturesDescribeThemselves() {
        assertEquals(10, new AioLimits(100, 90).headroom());
        assertEquals(0, new AioLimits(100, 120).headroom(), "never negative");
        assertEquals(0, new AioLimits(100, 100).headroom());
        assertEquals(-1, new AioLimits(-1, 5).headroom());
        assertEquals(-1, new AioLimits(100, -1).headroom());
        assertEquals(100, new AioLimits(100, 0).headroom());
        assertEquals(0, new AioLimits(0, 0).headroom(), "a limit of 0 is known, not -1");
        assertEquals(4096, new DirectIoAlignment(512, 4096, "x").combined());
        assertEquals(4096, new DirectIoAlignment(4096, 512, "x").combined());
        AioLimits now = Aio.limits();
        assertEquals(dev.kaio.testing.AioNr.aioMaxNr(), now.aioMaxNr());
        assertTrue(now.aioNr() >= 0);
        assertTrue(Aio.isAvailable());
        assertNull(Aio.unavailabilityCause());
        AioFeatures f = Aio.features();
        assertEquals(Set.of("FSYNC", "FDSYNC", "POLL", "NOWAIT", "DIOALIGN"), f.details().keySet());
        assertEquals(LinuxH.POLLIN(), PollEvents.POLLIN);
        assertEquals(LinuxH.POLLPRI(), PollEvents.POLLPRI);
        assertEquals(LinuxH.POLLOUT(), PollEvents.POLLOUT);
    }

    @Test
    void theVersionAndLeasesNameThemselves() throws Exception {
        assertTrue(Aio.version().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), "Aio.version(): " + Aio.version());
        try (BufferPool pool = BufferPool.of(2, 4096, 4096); BufferLease lease = pool.acquire()) {
            String expected = "BufferLease\\[[01] of " + java.util.regex.Pattern.quote(pool.toString()) + "\\]";
            assertTrue(lease.toString().matches(expected), lease.toString());
        }
    }
}
