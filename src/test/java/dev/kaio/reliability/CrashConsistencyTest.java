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
package dev.kaio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.ChecksummedBlock;
import dev.kaio.testing.TestFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A child JVM writes with FDSYNC acknowledgements and reports each acknowledged block; it is killed
 * with SIGKILL mid-run; every acknowledged block must then be on disk, intact, at its acknowledged
 * generation or a later one.
 */
class CrashConsistencyTest {

    @Test
    void everyAcknowledgedBlockSurvivesSigkill() throws Exception {
        Path file = TestFiles.newDirectory("crash").resolve("data");
        int blocks = 2048;
        String java = ProcessHandle.current().info().command().orElseThrow();
        for (int round = 0; round < 3; round++) {
            Process child = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "dev.kaio.testing.CrashWriterMain", file.toString(),
                    Integer.toString(blocks), Integer.toString(round))).redirectErrorStream(true).start();
            Map<Integer, Integer> acked = new HashMap<>();
            AtomicInteger ackCount = new AtomicInteger();
            BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            assertEquals("READY", line, "child did not start");
            long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(700 + 400L * round);
            while (System.nanoTime() < killAt && (line = in.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    String[] p = line.split(" ");
                    acked.merge(Integer.parseInt(p[1]), Integer.parseInt(p[2]), Math::max);
                    ackCount.incrementAndGet();
                } else {
                    throw new AssertionError("child said: " + line);
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close(), requests possibly in flight
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
            assertTrue(ackCount.get() > 0, "the child acknowledged nothing before it was killed");
            // Acks the child printed but this test had not read yet are not counted; what was counted
            // must be on disk.
            verify(file, acked);
            dev.kaio.testing.ReliabilityLog.record(String.format(
                    "crash round %d: child killed with SIGKILL after %d acknowledged (FDSYNC) writes; %d distinct "
                            + "blocks verified intact at or after their acknowledged generation; lost 0",
                    round, ackCount.get(), acked.size()));
        }
    }

    private static void verify(Path file, Map<Integer, Integer> acked) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(ChecksummedBlock.SIZE);
            ByteBuffer buf = seg.asByteBuffer();
            for (Map.Entry<Integer, Integer> e : acked.entrySet()) {
                int block = e.getKey();
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, (long) block * ChecksummedBlock.SIZE + buf.position()) > 0) {
                    // keep reading
                }
                assertEquals(ChecksummedBlock.SIZE, buf.position(), "block " + block + " is short");
                long generationOnDisk = ChecksummedBlock.generation(seg);
                assertTrue(generationOnDisk >= e.getValue(), "block " + block + " lost its acknowledged generation "
                        + e.getValue() + " (has " + generationOnDisk + ")");
                assertNull(ChecksummedBlock.check(seg, block, generationOnDisk), "block " + block + " is not intact");
            }
        }
    }
}
