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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.TestFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** kaio bench end to end, with tiny runs, checking its accounting and its JSON. */
class BenchCommandTest {

    record Run(int status, String out, String err) {}

    static Run kaio(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static double num(JsonObject o, String key) {
        return o.get(key).getAsDouble();
    }

    static String str(JsonObject o, String key) {
        return o.get(key).getAsString();
    }

    /** The object at {@code path} (keys, or indexes into arrays) under the JSON text or element {@code root}. */
    static JsonObject object(Object root, String... path) {
        JsonElement e = root instanceof String text ? JsonParser.parseString(text) : (JsonElement) root;
        for (String key : path) {
            e = e.isJsonArray() ? e.getAsJsonArray().get(Integer.parseInt(key)) : e.getAsJsonObject().get(key);
        }
        return e.getAsJsonObject();
    }

    @Test
    void aFixedNumberOfVerifiedReadsIsCountedExactly() throws Exception {
        Path dir = TestFiles.newDirectory("bench");
        Run r = kaio("bench", "--dir", dir.toString(), "--size", "16m", "--number_ios", "5000", "--iodepth", "16",
                "--json");
        assertEquals(0, r.status(), r.err() + r.out());
        JsonObject job = object(r.out(), "jobs", "0");
        JsonObject read = object(job, "read");
        JsonObject kaio = object(job, "kaio");
        assertEquals(5000, num(read, "total_ios"));
        assertEquals(5000, num(kaio, "submitted"));
        assertEquals(5000, num(kaio, "completed"));
        assertEquals(5000, num(kaio, "verified"), "every read checked the offset stamps of the temporary file");
        assertEquals(0, num(kaio, "errors"));
        assertEquals(5000L * 4096, (long) num(read, "io_bytes"));
        assertTrue(num(read, "iops") > 0);
        JsonObject clat = object(read, "clat_ns");
        assertEquals(5000, num(clat, "N"));
        JsonObject pct = object(clat, "percentile");
        double p50 = num(pct, "50.000000");
        double p99 = num(pct, "99.000000");
        assertTrue(num(clat, "min") <= p50 && p50 <= p99 && p99 <= num(clat, "max"), clat.toString());
        assertEquals(0, num(object(job, "write"), "total_ios"));
        assertEquals("randread", str(object(job, "job options"), "rw"));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the temporary file is removed");
        }
    }

    @Test
    void timeBasedMixedVectoredRunVerifiesWhatItReads() throws Exception {
        Path dir = TestFiles.newDirectory("benchrw");
        Run r = kaio("bench", "--dir", dir.toString(), "--size", "8m", "--rw", "randrw", "--rwmixread", "60",
                "--runtime", "400ms", "--vectored", "4", "--bs", "4k", "--iodepth", "8", "--json");
        assertEquals(0, r.status(), r.err() + r.out());
        JsonObject job = object(r.out(), "jobs", "0");
        JsonObject kaio = object(job, "kaio");
        double reads = num(object(job, "read"), "total_ios");
        double writes = num(object(job, "write"), "total_ios");
        assertTrue(reads > 0 && writes > 0, "both directions ran: " + reads + "/" + writes);
        assertEquals(num(kaio, "submitted"), num(kaio, "completed"));
        assertEquals(reads + writes, num(kaio, "completed"));
        assertEquals(reads, num(kaio, "verified"));
        assertEquals(16384 * (long) reads, (long) num(object(job, "read"), "io_bytes"));
        assertEquals(0, num(kaio, "errors"));
    }

    @Test
    void humanReportOnAFile() throws Exception {
        Path file = TestFiles.newDirectory("benchfile").resolve("data");
        Run r = kaio("bench", "--file", file.toString(), "--size", "4m", "--rw", "write", "--runtime", "200ms",
                "--verify");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().startsWith("kaio bench: rw=write bs=4KiB iodepth=32 direct=1"), r.out());
        assertTrue(r.out().contains("write: IOPS="), r.out());
        assertTrue(r.out().contains("clat percentiles (usec): p50="), r.out());
        assertFalse(r.out().contains("read: IOPS="), r.out());
        assertEquals(4L << 20, Files.size(file), "kept, at the given size");
        assertTrue(r.err().isEmpty(), "no progress line when not on a terminal: " + r.err());
        // the written blocks carry their offsets, so a verifying read pass over the same file succeeds
        Run check = kaio("bench", "--file", file.toString(), "--rw", "read", "--number_ios", "1024", "--verify",
                "--json");
        assertEquals(0, check.status(), check.err() + check.out());
        assertEquals(1024, num(object(check.out(), "jobs", "0", "kaio"), "verified"));
    }

    @Test
    void aFailedVerificationIsAnErrorWithExitStatusOne() throws Exception {
        Path file = TestFiles.newDirectory("benchbad").resolve("zeros");
        Files.write(file, new byte[1 << 20]);
        Run r = kaio("bench", "--file", file.toString(), "--rw", "read", "--number_ios", "10", "--verify");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("error: verify: the sector at offset"), r.out());
    }

    @Test
    void missingFileWithoutSizeIsAUsageError() throws Exception {
        Run r = kaio("bench", "--file", TestFiles.newDirectory("x").resolve("nope").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("give --size"), r.err());
    }

    @Test
    void onALoopDeviceWithVerifiedWritesThenReads() throws Exception {
        LoopDevice.assumeAvailable();
        Path dir = TestFiles.newDirectory("benchdev");
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("img"), 32L << 20, 512)) {
            Run w = kaio("bench", "--device", loop.path().toString(), "--rw", "write", "--bs", "64k", "--force",
                    "--number_ios", "512", "--verify", "--json");
            assertEquals(0, w.status(), w.err() + w.out());
            Run rd = kaio("bench", "--device", loop.path().toString(), "--rw", "randread", "--bs", "64k",
                    "--number_ios", "2000", "--verify", "--json");
            assertEquals(0, rd.status(), rd.err() + rd.out());
            JsonObject kaio = object(rd.out(), "jobs", "0", "kaio");
            assertEquals(2000, num(kaio, "verified"));
            String source = str(kaio, "alignment_source");
            assertTrue(source.equals("ioctl(BLKSSZGET)") || source.equals("statx(STATX_DIOALIGN)"), source);
        }
    }
}
