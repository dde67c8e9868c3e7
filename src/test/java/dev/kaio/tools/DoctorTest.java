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

import dev.kaio.internal.sys.FileStat;
import dev.kaio.testing.Commands;
import dev.kaio.testing.AioNr;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.MiniJson;
import dev.kaio.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kaio doctor reports this machine's real values: compared with /proc, /sys, statx and coreutils. */
class DoctorTest {

    static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    @Test
    void systemAndPathValuesMatchTheKernel() throws Exception {
        Path dir = TestFiles.newDirectory("doctor");
        BenchCommandTest.Run r = BenchCommandTest.kaio("doctor", "--json", dir.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        Map<String, Object> json = MiniJson.object(MiniJson.parse(r.out()));
        assertEquals(Files.readAllLines(Path.of("/proc/sys/kernel/osrelease")).get(0).trim(), json.get("kernel"));
        assertEquals(Boolean.TRUE, json.get("native_access"));
        assertEquals(Boolean.TRUE, json.get("aio_available"));
        assertEquals(AioNr.aioMaxNr(), (long) num(json, "aio_max_nr"));
        assertEquals(num(json, "aio_max_nr") - num(json, "aio_nr"), num(json, "aio_headroom"));
        Map<String, Object> features = MiniJson.object(json, "features");
        // this machine's kernel (6.x) has all of them; the probe must find them, not assume them
        String release = (String) json.get("kernel");
        int major = Integer.parseInt(release.split("\\.")[0]);
        if (major >= 6) {
            for (String f : List.of("fsync", "fdsync", "poll", "nowait", "dioalign")) {
                assertEquals(Boolean.TRUE, features.get(f), f + " on Linux " + release);
            }
        }

        Map<String, Object> p = MiniJson.object(json, "paths", "0");
        assertEquals(dir.toString(), p.get("path"));
        assertEquals("directory", p.get("type"));
        assertEquals(Files.getFileStore(dir).type(), p.get("filesystem"));
        assertTrue(((String) p.get("o_direct")).startsWith("opens"), p.toString());

        // alignment: what statx says for a file in that directory
        Path probe = Files.createTempFile(dir, "statx", ".tmp");
        FileStat st = FileStat.ofPath(probe);
        if (st.hasDioAlign()) {
            assertEquals("statx(STATX_DIOALIGN)", p.get("alignment_source"));
            assertEquals(st.dioMemAlign(), (int) num(p, "alignment_memory"));
            assertEquals(st.dioOffsetAlign(), (int) num(p, "alignment_offset"));
        }
        // the device under it, found independently with coreutils' stat and sysfs
        String majmin = Commands.run(List.of("stat", "-c", "%Hd:%Ld", dir.toString())).trim();
        Path sys = Path.of("/sys/dev/block/" + majmin);
        if (Files.exists(sys)) {
            Path q = Files.exists(sys.resolve("queue")) ? sys.resolve("queue") : sys.resolve("../queue");
            assertEquals(Integer.parseInt(Files.readAllLines(q.resolve("logical_block_size")).get(0).trim()),
                    (int) num(p, "logical_block_size"));
            assertEquals(Integer.parseInt(Files.readAllLines(q.resolve("physical_block_size")).get(0).trim()),
                    (int) num(p, "physical_block_size"));
            assertTrue(((String) p.get("device")).endsWith("(" + majmin + ")"), p.toString());
        }
    }

    @Test
    void aBlockDeviceReportsItsSectorSizes() throws Exception {
        LoopDevice.assumeAvailable();
        Path dir = TestFiles.newDirectory("doctordev");
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("img"), 8L << 20, 4096)) {
            BenchCommandTest.Run r = BenchCommandTest.kaio("doctor", "--json", loop.path().toString());
            assertEquals(0, r.status(), r.err() + r.out());
            Map<String, Object> p = MiniJson.object(MiniJson.parse(r.out()), "paths", "0");
            assertEquals("block device", p.get("type"));
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
