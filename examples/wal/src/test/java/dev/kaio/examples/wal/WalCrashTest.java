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
package dev.kaio.examples.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The crash test: a child JVM runs the demo (8 appender threads, records of 64 B to 4 KiB) and prints
 * an acknowledgement for each record once {@code append} returned, that is once the record was
 * durable; the test kills it with SIGKILL at a random moment while it appends, then recovers the
 * log. Every acknowledged record must be there, intact, at the position that was acknowledged.
 * Besides, each writer waits for one record before appending the next, so what is recovered of a
 * writer must be its records 0..n with no gap, n its last acknowledged record or the one after it
 * (durable, but killed before its acknowledgement was printed, or written but not yet synced): the
 * test counts those as "found, not acknowledged".
 *
 * <p>A SIGKILL of the writer tests the log's recovery (torn batches, padding, records in flight),
 * not the device: the kernel finishes the writes the process had submitted, and the page cache
 * outlives the process. That syncs reach the device is what kaio's own FlushCountTest, PowerLossTest
 * and CrashConsistencyTest show.
 */
class WalCrashTest {

    /** One line of the child's output: "ack WRITER SEQ POSITION". */
    record Ack(int writer, long seq, long position) {}

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"pwritev-fdsync, 11", "pwritev-fdsync, 12", "rwf-dsync, 21", "rwf-dsync, 22", "filechannel, 31"})
    void everyAcknowledgedRecordSurvivesASigkillOfTheWriter(String mode, long seed) throws Exception {
        Path dir = TestDirs.newDirectory("crash");
        Path log = dir.resolve("wal.log");
        // kill after a random number of acknowledgements (the child runs much longer than that)
        int killAfter = 300 + new SplittableRandom(seed).nextInt(3000);
        String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the acknowledgements go to a file, not a pipe: what the child wrote before it died is all there
        // (a pipe's last bytes can be lost when the JDK drains it at the child's exit while it is read)
        Path ackFile = dir.resolve("acks.txt");
        Process child = new ProcessBuilder(javaExe, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), WalDemo.class.getName(), "append", log.toString(), "--mode", mode,
                "--writers", "8", "--seconds", "120", "--capacity-mib", "256", "--seed", Long.toString(seed), "--acks")
                .redirectOutput(ackFile.toFile()).redirectError(dir.resolve("child.err").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        int seen = 0;
        while (seen < killAfter && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            seen = readAcks(ackFile).size();
        }
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child survived SIGKILL");
        List<Ack> acks = readAcks(ackFile);
        long killedAt = acks.size();
        if (seen < killAfter) {
            fail("the child acknowledged only " + seen + " records in 90 s (exit " + child.exitValue() + "): "
                    + Files.readString(dir.resolve("child.err")));
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL while appending (128 + 9), not finished: "
                + Files.readString(dir.resolve("child.err")));

        Map<Long, Ack> acknowledged = new HashMap<>(); // writer << 32 | seq
        long[] lastAcked = new long[8];
        Arrays.fill(lastAcked, -1);
        for (Ack a : acks) {
            acknowledged.put(((long) a.writer() << 32) | a.seq(), a);
            lastAcked[a.writer()] = Math.max(lastAcked[a.writer()], a.seq());
        }

        Map<Integer, TreeMap<Long, Long>> found = new HashMap<>(); // writer -> seq -> position
        List<String> damaged = new ArrayList<>();
        LogRecovery.Result r = LogRecovery.scan(log, (position, payload) -> {
            if (!DemoRecords.intact(seed, payload)) {
                damaged.add("a record at " + position + " that passed its CRC but is not what was appended");
                return;
            }
            Long previous = found.computeIfAbsent(DemoRecords.writer(payload), w -> new TreeMap<>())
                    .put(DemoRecords.seq(payload), position);
            if (previous != null) {
                damaged.add("writer " + DemoRecords.writer(payload) + "'s record " + DemoRecords.seq(payload) + " twice");
            }
        });
        assertTrue(damaged.isEmpty(), damaged.toString());

        int lost = 0;
        List<String> problems = new ArrayList<>();
        for (Ack a : acknowledged.values()) {
            Long position = found.getOrDefault(a.writer(), new TreeMap<>()).get(a.seq());
            if (position == null) {
                lost++;
                if (problems.size() < 10) {
                    problems.add("acknowledged record " + a + " was not recovered");
                }
            } else if (position != a.position()) {
                problems.add("record " + a + " recovered at " + position);
            }
        }
        int unacknowledged = 0;
        for (int w = 0; w < 8; w++) {
            TreeMap<Long, Long> mine = found.getOrDefault(w, new TreeMap<>());
            long n = mine.isEmpty() ? -1 : mine.lastKey();
            if (mine.size() != n + 1) {
                problems.add("writer " + w + ": " + mine.size() + " records recovered but the last is number " + n
                        + ": a gap");
            }
            if (n < lastAcked[w] || n > lastAcked[w] + 1) {
                problems.add("writer " + w + ": last acknowledged " + lastAcked[w] + ", last recovered " + n
                        + " (a writer has at most one record in flight)");
            }
            unacknowledged += (int) Math.max(0, n - lastAcked[w]);
        }
        String summary = String.format(Locale.ROOT, "WAL crash (%s, seed %d): SIGKILL after %d acknowledged "
                + "records; recovery found %d records: all %d acknowledged ones intact at their positions (lost %d), "
                + "%d found but not acknowledged (in flight at the kill); stopped at %d: %s", mode, seed, killedAt, r.records(),
                acknowledged.size(), lost, unacknowledged, r.stopPosition(), r.stopReason());
        System.out.println(summary);
        assertTrue(problems.isEmpty(), summary + "\n" + String.join("\n", problems));
        assertEquals(r.records(), acknowledged.size() + unacknowledged, "every record recovered is accounted for");
        Files.writeString(dir.resolve("summary.txt"), summary + "\n");
    }

    /** The complete "ack" lines of the file (a line cut by the kill has no newline and is left out). */
    static List<Ack> readAcks(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<Ack> acks = new ArrayList<>();
        int from = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; from = nl + 1, nl = text.indexOf('\n', from)) {
            String[] f = text.substring(from, nl).split(" ");
            if (f.length == 4 && f[0].equals("ack")) {
                acks.add(new Ack(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
        }
        return acks;
    }
}
