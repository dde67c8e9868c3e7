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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.engine.AioQueue;
import dev.kaio.testing.AioNr;
import dev.kaio.testing.LoopDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** io_setup failing with EAGAIN explains that fs.aio-max-nr is exhausted. */
class IoSetupLimitTest {

    static final Path AIO_MAX_NR = Path.of("/proc/sys/fs/aio-max-nr");

    @Test
    void exhaustedAioMaxNrIsReportedWithTheNumbers() throws Exception {
        assumeTrue(LoopDevice.isRoot(), "lowering /proc/sys/fs/aio-max-nr needs root");
        long original = AioNr.aioMaxNr();
        try (AioContext keep = AioContext.open(8)) {
            long inUse = AioNr.aioNr();
            long limit = inUse + 10;
            Files.writeString(AIO_MAX_NR, Long.toString(limit));
            try {
                AioException e = assertThrows(AioException.class, () -> AioContext.open(32));
                assertEquals(Errno.EAGAIN, e.errno());
                assertEquals("io_setup", e.operation());
                String m = e.getMessage();
                assertTrue(m.startsWith("io_setup: EAGAIN (Resource temporarily unavailable): "
                        + "/proc/sys/fs/aio-max-nr is exhausted"), m);
                assertTrue(m.contains("aio-nr is " + inUse + " of aio-max-nr " + limit), m);
                assertTrue(m.contains("needs 32 more"), m); // open(32) is io_setup(32)
                AioException q = assertThrows(AioException.class, () -> AioQueue.open(64));
                assertTrue(q.getMessage().contains("needs 64 more"), q.getMessage());
                // what still fits is granted
                try (AioQueue small = AioQueue.open(10)) {
                    assertTrue(small.contextId() != 0);
                }
            } finally {
                Files.writeString(AIO_MAX_NR, Long.toString(original));
            }
            assertEquals(original, AioNr.aioMaxNr());
            try (AioContext again = AioContext.open(32)) {
                assertTrue(again.contextId() != 0, "usable again once the limit is restored");
            }
        }
    }
}
