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
package dev.kaio.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.Aio;
import dev.kaio.AioFeatures;
import dev.kaio.internal.linux.LinuxAarch64;
import dev.kaio.internal.sys.ArchConstants;
import dev.kaio.internal.sys.ArchConstants.Arch;
import dev.kaio.internal.sys.NativeAccess;
import dev.kaio.testing.Commands;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs inside the arm64 guest (Aarch64GuestIT): that this really is an aarch64 JVM on an aarch64
 * kernel using the aarch64 bindings, that io_setup works with them, and the kernel's AIO features
 * for the README.
 */
@Tag("in-guest")
class Aarch64GuestTest {

    @Test
    void anAarch64JvmOnAnAarch64KernelUsesTheAarch64Bindings() throws Exception {
        assertEquals("aarch64", System.getProperty("os.arch"));
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder());
        assertEquals("aarch64", Commands.run(List.of("uname", "-m")).trim(), "the kernel's machine type");
        assertEquals(Arch.AARCH64, Arch.current());
        assertNull(NativeAccess.platformProblem());
        assertEquals(LinuxAarch64.__NR_io_setup(), ArchConstants.NR_IO_SETUP);
        assertEquals(LinuxAarch64.O_DIRECT(), ArchConstants.O_DIRECT);
        // io_setup with these numbers reaches the kernel's AIO (x86_64's 206 would be sendto here)
        assertTrue(Aio.isAvailable(), () -> String.valueOf(Aio.unavailabilityCause()));
        MatrixRecorder.record("bindings", System.getProperty("java.vm.version") + " on " + System.getProperty("os.arch"),
                "-", Arch.describeCurrent(), "");
    }

    /** The kernel feature probe on the guest's arm64 kernel, for the README's feature table. */
    @Test
    void recordTheKernelFeatures() {
        AioFeatures f = Aio.features();
        MatrixRecorder.record("kernel " + f.kernelRelease(), "features", "-", "FSYNC " + f.fsync() + ", FDSYNC "
                + f.fdsync() + ", POLL " + f.poll() + ", NOWAIT " + f.nowait() + ", DIOALIGN " + f.dioAlign(), "");
        assertTrue(f.fsync() && f.fdsync() && f.poll() && f.nowait(), f.details().toString());
    }
}
