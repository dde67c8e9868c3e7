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
import dev.kaio.testing.FaultFs;
import dev.kaio.testing.ReliabilityLog;
import dev.kaio.testing.TestFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Power loss in the middle of a write load: a child JVM writes checksummed blocks through kaio to the
 * lazy faultfs (which keeps unsynced data in its own memory, like a page cache and a disk cache) and
 * acknowledges each block only once it is durable (FDSYNC or FSYNC after a batch, or RWF_DSYNC /
 * RWF_SYNC on the write). The test then kills faultfs with SIGKILL (the power loss: everything not
 * synced is gone) and the child after it. Every block the child acknowledged must be on the backing
 * file (the "disk"), intact, at its acknowledged generation or a later one. A SIGKILL of the writer
 * alone would prove nothing: the kernel's page cache outlives the process, so a sync that never
 * happened could not be noticed.
 */
class CrashConsistencyTest {

    static final int BLOCKS = 2048;

    @ParameterizedTest(name = "{0}, direct={1}")
    @CsvSource({"fdatasync, true", "fsync, false", "dsync, true", "sync, false"})
    void everyAcknowledgedBlockSurvivesAPowerLoss(String mode, boolean direct) throws Exception {
        FaultFs.assumeAvailable();
        Path dir = TestFiles.newDirectory("powerloss-" + mode);
        Path backing = dir.resolve("disk");
        Files.createFile(backing);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Map<Integer, Integer> acked = new HashMap<>();
        Map<Integer, Integer> written = new HashMap<>();
        int acks = 0;
        int round = List.of("fdatasync", "fsync", "dsync", "sync").indexOf(mode);
        try (FaultFs fs = FaultFs.mount(dir, backing, 0, 0, true)) {
            Process child = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "dev.kaio.testing.CrashWriterMain", fs.data().toString(),
                    Integer.toString(BLOCKS), Integer.toString(round), mode, Boolean.toString(direct)))
                    .redirectErrorStream(true).start();
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String line = in.readLine();
                assertEquals("READY", line, "child did not start");
                long lossAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800 + 300L * round);
                while (System.nanoTime() < lossAt && (line = in.readLine()) != null) {
                    String[] p = line.split(" ");
                    if (p.length == 3 && p[0].equals("ACK")) {
                        acked.merge(Integer.parseInt(p[1]), Integer.parseInt(p[2]), Math::max);
                        acks++;
                    } else if (p.length == 3 && p[0].equals("W")) {
                        written.merge(Integer.parseInt(p[1]), Integer.parseInt(p[2]), Math::max);
                    } else {
                        throw new AssertionError("child said: " + line);
                    }
                }
                // Every ACK read so far was printed after its sync had completed, i.e. before the daemon died.
                fs.powerLoss();
                child.toHandle().destroyForcibly(); // SIGKILL, keeping its output readable (Process.destroy closes it)
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer survived SIGKILL");
                // What the child printed after that only counts the writes that may be lost (a line cut by
                // the kill could name a wrong block: ACKs from here on are not relied upon).
                while ((line = in.readLine()) != null) {
                    String[] p = line.split(" ");
                    if (p.length == 3 && p[0].equals("W") && p[1].matches("\\d+") && p[2].matches("\\d+")) {
                        written.merge(Integer.parseInt(p[1]), Integer.parseInt(p[2]), Math::max);
                    }
                }
            } finally {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
                child.getInputStream().close();
                child.getOutputStream().close();
            }
        }
        assertTrue(acks > 0, "the child acknowledged nothing before the power loss");
        int[] lostUnsynced = new int[1];
        verify(backing, acked, written, lostUnsynced);
        ReliabilityLog.record(String.format("power loss (%s, direct=%s): faultfs killed after %d acknowledged writes; "
                + "%d distinct blocks verified intact at or after their acknowledged generation; lost 0 acknowledged; "
                + "%d blocks lost their last, unsynced write", mode, direct, acks, acked.size(), lostUnsynced[0]));
    }

    private static void verify(Path disk, Map<Integer, Integer> acked, Map<Integer, Integer> written, int[] lostUnsynced)
            throws Exception {
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(ChecksummedBlock.SIZE);
            ByteBuffer buf = seg.asByteBuffer();
            for (Map.Entry<Integer, Integer> e : written.entrySet()) {
                int block = e.getKey();
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, (long) block * ChecksummedBlock.SIZE + buf.position()) > 0) {
                    // keep reading
                }
                long onDisk = buf.position() == ChecksummedBlock.SIZE ? seg.get(ValueLayout.JAVA_LONG_UNALIGNED, 16) : 0;
                Integer ack = acked.get(block);
                if (ack != null) {
                    assertEquals(ChecksummedBlock.SIZE, buf.position(), "acknowledged block " + block + " is short on the disk");
                    assertTrue(onDisk >= ack, "block " + block + " lost its acknowledged generation " + ack + " (the disk has "
                            + onDisk + ")");
                    assertNull(ChecksummedBlock.check(seg, block, onDisk), "block " + block + " is not intact");
                }
                if (onDisk < e.getValue()) {
                    lostUnsynced[0]++;
                }
            }
        }
    }
}
