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

import static dev.kaio.tools.BenchCommandTest.num;
import static dev.kaio.tools.BenchCommandTest.object;
import static dev.kaio.tools.BenchCommandTest.str;

import com.google.gson.JsonObject;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectIoAlignment;
import dev.kaio.engine.RawFile;
import dev.kaio.testing.AioNr;
import dev.kaio.testing.Commands;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * kaio doctor reports this machine's real values: compared with /proc, /sys, coreutils' stat and
 * blockdev, and what the library itself finds for a file opened with O_DIRECT.
 */
class DoctorTest {

    @Test
    void systemAndPathValuesMatchTheKernel() throws Exception {
        Path dir = TestFiles.newDirectory("doctor");
        BenchCommandTest.Run r = BenchCommandTest.kaio("doctor", "--json", dir.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        JsonObject json = object(r.out());
        assertEquals(Files.readAllLines(Path.of("/proc/sys/kernel/osrelease")).get(0).trim(), str(json, "kernel"));
        assertTrue(json.get("native_access").getAsBoolean());
        assertTrue(json.get("aio_available").getAsBoolean());
        assertEquals(AioNr.aioMaxNr(), (long) num(json, "aio_max_nr"));
        assertEquals(num(json, "aio_max_nr") - num(json, "aio_nr"), num(json, "aio_headroom"));
        JsonObject features = object(json, "features");
        // this machine's kernel (6.x) has all of them; the probe must find them, not assume them
        String release = str(json, "kernel");
        int major = Integer.parseInt(release.split("\\.")[0]);
        if (major >= 6) {
            for (String f : List.of("fsync", "fdsync", "poll", "nowait", "dioalign")) {
                assertTrue(features.get(f).getAsBoolean(), f + " on Linux " + release);
            }
        }

        JsonObject p = object(json, "paths", "0");
        assertEquals(dir.toString(), str(p, "path"));
        assertEquals("directory", str(p, "type"));
        assertEquals(Files.getFileStore(dir).type(), str(p, "filesystem"));
        assertTrue(str(p, "o_direct").startsWith("opens"), p.toString());

        // alignment: what the library finds for a file of that directory opened with O_DIRECT
        Path probe = Files.createTempFile(dir, "statx", ".tmp");
        DirectIoAlignment expected;
        try (RawFile f = RawFile.open(probe, StandardOpenOption.READ, AioOpenOption.DIRECT)) {
            expected = f.alignmentInfo();
        }
        assertEquals(expected.source(), str(p, "alignment_source"));
        assertEquals(expected.memory(), (int) num(p, "alignment_memory"));
        assertEquals(expected.offset(), (int) num(p, "alignment_offset"));
        // the device under it, found independently with coreutils' stat and sysfs
        String majmin = Commands.run(List.of("stat", "-c", "%Hd:%Ld", dir.toString())).trim();
        Path sys = Path.of("/sys/dev/block/" + majmin);
        if (Files.exists(sys)) {
            Path q = Files.exists(sys.resolve("queue")) ? sys.resolve("queue") : sys.resolve("../queue");
            assertEquals(Integer.parseInt(Files.readAllLines(q.resolve("logical_block_size")).get(0).trim()),
                    (int) num(p, "logical_block_size"));
            assertEquals(Integer.parseInt(Files.readAllLines(q.resolve("physical_block_size")).get(0).trim()),
                    (int) num(p, "physical_block_size"));
            assertTrue(str(p, "device").endsWith("(" + majmin + ")"), p.toString());
        }
    }

    @Test
    void aBlockDeviceReportsItsSectorSizes() throws Exception {
        LoopDevice.assumeAvailable();
        Path dir = TestFiles.newDirectory("doctordev");
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("img"), 8L << 20, 4096)) {
            BenchCommandTest.Run r = BenchCommandTest.kaio("doctor", "--json", loop.path().toString());
            assertEquals(0, r.status(), r.err() + r.out());
            JsonObject p = object(r.out(), "paths", "0");
            assertEquals("block device", str(p, "type"));
            int ss = Integer.parseInt(Commands.run(List.of("blockdev", "--getss", loop.path().toString())).trim());
            int pbs = Integer.parseInt(Commands.run(List.of("blockdev", "--getpbsz", loop.path().toString())).trim());
            assertEquals(4096, ss);
            assertEquals(ss, (int) num(p, "logical_block_size"));
            assertEquals(pbs, (int) num(p, "physical_block_size"));
            assertEquals(4096, (int) num(p, "alignment_offset"));
        }
    }

    @Test
    void humanOutputAndAMissingPath() throws Exception {
        BenchCommandTest.Run r = BenchCommandTest.kaio("doctor", "/nonexistent/kaio");
        assertEquals(1, r.status(), "a path that cannot be checked fails the doctor");
        assertTrue(r.out().startsWith("kaio doctor\n"), r.out());
        assertTrue(r.out().contains("aio-max-nr"), r.out());
        assertTrue(r.out().contains("ENOENT"), r.out());
    }
}
