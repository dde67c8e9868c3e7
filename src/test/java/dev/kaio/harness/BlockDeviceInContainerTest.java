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

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs inside the Docker harness's container: O_DIRECT on the host loop device passed in with
 * {@code --device} ({@code -Dkaio.blockdev=/dev/kaio-raw}), every matrix operation verified through
 * FileChannel on the device node. The arm64 guest (Aarch64GuestIT) runs it on a raw virtio disk,
 * labelled with {@code -Dkaio.blockdev.label}.
 */
@Tag("in-container")
class BlockDeviceInContainerTest {

    static java.util.List<String> ops() {
        return MatrixCase.OPS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void oDirectOnThePassedInDevice(String op) throws Exception {
        String dev = System.getProperty("kaio.blockdev");
        assertNotNull(dev, "run by DockerHarnessIT with -Dkaio.blockdev=/dev/...");
        Path path = Path.of(dev);
        try (AioContext ctx = AioContext.open(8);
                AioFile f = AioFile.open(ctx, path, READ, WRITE, AioOpenOption.DIRECT);
                Arena arena = Arena.ofShared()) {
            assertTrue(f.size() > 0, "device size");
            String outcome = MatrixCase.run(f, path, op, arena);
            MatrixRecorder.record(System.getProperty("kaio.blockdev.label", "block device (loop, 512 B sectors)"),
                    "O_DIRECT", op, outcome,
                    "alignment " + f.alignment() + " from " + f.alignmentInfo().source());
            String kernel = MatrixExpectations.runningKernel();
            assertEquals(MatrixExpectations.expected("block device", "O_DIRECT", op, kernel), outcome,
                    op + " on a block device, Linux " + kernel + " (see MatrixExpectations)");
        }
    }
}
