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
package dev.kaio.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.internal.sys.NativeResources;
import dev.kaio.testing.ProcessResources;
import dev.kaio.testing.TestFiles;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The short CI version of {@code kaio soak}: seconds instead of minutes (system property
 * {@code kaio.soak.seconds}, default 8 per mode). The full run is {@code ./kaio soak --duration 10m}.
 */
class SoakTest {

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {true, false})
    void nothingAcknowledgedIsLostAndNoContextLeaks(boolean direct) throws Exception {
        long seconds = Long.getLong("kaio.soak.seconds", 8);
        Path file = TestFiles.newDirectory("soak").resolve("data");
        int ringsBefore = ProcessResources.aioRings().size();
        int contextsBefore = NativeResources.contexts();
        Soak.Report r = Soak.run(new Soak.Settings(file, TimeUnit.SECONDS.toNanos(seconds), 4, 32, 8192, direct,
                TimeUnit.MILLISECONDS.toNanos(50), 42));
        assertEquals(0, r.errors(), r.text());
        // the soak's own "leaked" figure is fs.aio-nr, which every process on the machine moves; what this
        // process holds is exact: its AIO rings (/proc/self/maps) and kaio's count of contexts
        assertEquals(ringsBefore, ProcessResources.aioRings().size(), "AIO rings left mapped: " + r.text());
        assertEquals(contextsBefore, NativeResources.contexts(), "kernel contexts left open: " + r.text());
        dev.kaio.testing.ReliabilityLog.record("soak (direct=" + direct + "): " + r.text().trim()
                + " (aio-nr is system-wide); AIO rings of this process " + ringsBefore + " -> "
                + ProcessResources.aioRings().size());
        assertTrue(r.writes() > 1000 && r.reads() > 1000 && r.syncs() > 10, r.text());
        assertEquals(r.blocksWritten() * Soak.BLOCK, r.bytesVerified(), r.text());
        assertTrue(r.blocksWritten() > 4000, r.text());
    }
}
