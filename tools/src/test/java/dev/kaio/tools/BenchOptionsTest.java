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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BenchOptionsTest {

    static BenchOptions parse(String... args) throws UsageException {
        return BenchOptions.parse(List.of(args));
    }

    @Test
    void defaults() throws Exception {
        BenchOptions o = parse();
        assertEquals(BenchOptions.Workload.RANDREAD, o.rw());
        assertEquals(4096, o.blockSize());
        assertEquals(32, o.ioDepth());
        assertEquals(10_000_000_000L, o.runtimeNanos());
        assertTrue(o.direct());
        assertNull(o.file());
        assertNull(o.device());
        assertNull(o.verify());
        assertEquals(0, o.vectored());
        assertFalse(o.json());
    }

    @Test
    void everyOptionParses() throws Exception {
        BenchOptions o = parse("--file", "/x/y", "--rw", "randrw", "--rwmixread", "70", "--bs", "64k", "--iodepth", "128",
                "--runtime", "500ms", "--size", "2g", "--direct=0", "--vectored", "8", "--verify", "--json",
                "--no-progress", "--seed", "42", "--number_ios", "1000");
        assertEquals(Path.of("/x/y"), o.file());
        assertEquals(BenchOptions.Workload.RANDRW, o.rw());
        assertEquals(70, o.rwMixRead());
        assertEquals(65536, o.blockSize());
        assertEquals(128, o.ioDepth());
        assertEquals(500_000_000L, o.runtimeNanos());
        assertEquals(2L << 30, o.size());
        assertFalse(o.direct());
        assertEquals(8, o.vectored());
        assertTrue(o.verify());
        assertTrue(o.json());
        assertFalse(o.progress());
        assertEquals(42, o.seed());
        assertEquals(1000, o.ios());
        assertEquals(8 * 65536, o.requestBytes());

        BenchOptions d = parse("--device=/dev/loop3", "--rw=read", "--bs=1m", "--runtime=2m", "--buffered");
        assertEquals(Path.of("/dev/loop3"), d.device());
        assertEquals(BenchOptions.Workload.READ, d.rw());
        assertEquals(1 << 20, d.blockSize());
        assertEquals(120_000_000_000L, d.runtimeNanos());
        assertFalse(d.direct());
        assertEquals(BenchOptions.Workload.RW, parse("--rw", "readwrite").rw());
        assertEquals(BenchOptions.Workload.WRITE, parse("--dir", "/tmp", "--rw", "write").rw());
        assertTrue(parse("--device", "/dev/loop3", "--rw", "randwrite", "--force").force());
    }

    @ParameterizedTest
    @CsvSource({"512,512", "4k,4096", "4K,4096", "4KiB,4096", "64kb,65536", "1m,1048576", "1g,1073741824",
        "2G,2147483648"})
    void sizes(String text, long bytes) throws Exception {
        assertEquals(bytes, Units.parseSize("--size", text));
    }

    @ParameterizedTest
    @CsvSource({"10,10000000000", "10s,10000000000", "500ms,500000000", "2m,120000000000", "1h,3600000000000",
        "250us,250000"})
    void durations(String text, long nanos) throws Exception {
        assertEquals(nanos, Units.parseDuration("--runtime", text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bs=4x", "--bs=0", "--bs=128m", "--size=lots", "--runtime=soon", "--runtime=0",
        "--iodepth=0", "--iodepth=70000", "--iodepth=many", "--rw=randomread", "--rwmixread=101", "--direct=2",
        "--vectored=0", "--vectored=1025", "--unknown", "--bs", "--seed=x"})
    void badOptionsAreUsageErrors(String arg) {
        UsageException e = assertThrows(UsageException.class, () -> parse(arg));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void conflictingOptionsAreUsageErrors() {
        assertTrue(assertThrows(UsageException.class, () -> parse("--file", "/a", "--device", "/dev/b"))
                .getMessage().contains("not both"));
        assertTrue(assertThrows(UsageException.class, () -> parse("--device", "/dev/loop0", "--rw", "write"))
                .getMessage().contains("--force"));
        assertTrue(assertThrows(UsageException.class, () -> parse("--file", "/a", "--dir", "/tmp"))
                .getMessage().contains("--dir"));
        assertTrue(assertThrows(UsageException.class, () -> parse("--size", "4k", "--bs", "4k", "--vectored", "2"))
                .getMessage().contains("smaller than one request"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bench --bs=4x", "bench --nope", "doctor --nope", "frobnicate", ""})
    void theToolExitsWithTwoOnUsageErrors(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        int rc = Main.run(args, new PrintStream(out), new PrintStream(err));
        assertEquals(2, rc);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("kaio: "), e);
        assertTrue(e.contains("kaio --help"), e);
    }

    @Test
    void helpAndVersion() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"help"},
                new String[] {"bench", "--help"}, new String[] {"doctor", "--help"}, new String[] {"soak", "-h"},
                new String[] {"help", "bench"})) {
            String text = runOk(args);
            assertTrue(text.startsWith("Usage: kaio"), text);
        }
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"-V"}, new String[] {"version"},
                new String[] {"bench", "--version"})) {
            assertEquals("kaio " + System.getProperty("kaio.test.version") + "\n", runOk(args));
        }
    }

    @Test
    void theHelpNamesEveryOption() {
        String bench = runOk("bench", "--help");
        for (String option : List.of("--file", "--filename", "--device", "--dir", "--rw", "--readwrite", "--rwmixread",
                "--bs", "--blocksize", "--iodepth", "--runtime", "--ramp_time", "--number_ios", "--size", "--direct",
                "--buffered", "--vectored", "--verify", "--seed", "--iodepth_batch_complete_min",
                "--iodepth_batch_submit", "--iodepth_batch", "--json", "--no-progress", "--force")) {
            assertTrue(bench.contains(option), option + " in\n" + bench);
        }
        String soak = runOk("soak", "--help");
        for (String option : List.of("--duration", "--threads", "--iodepth", "--size", "--file", "--buffered",
                "--sync-interval", "--seed")) {
            assertTrue(soak.contains(option), option + " in\n" + soak);
        }
        assertTrue(runOk("doctor", "--help").contains("--json"));
        String top = runOk("--help");
        for (String command : List.of("bench", "doctor", "soak")) {
            assertTrue(top.contains("\n  " + command + " "), command + " in\n" + top);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "bench --bs=4x|invalid size for --bs: '4x' (examples: 512, 4k, 64KiB, 1m, 2g)",
        "bench --bs|--bs needs a value",
        "bench --file --json|--file needs a value",
        "bench --nope|unknown option for kaio bench: --nope",
        "bench stray|unexpected argument: stray",
        "bench --rw=randomread|invalid --rw 'randomread': use read, write, randread, randwrite, randrw or rw",
        "bench --device /dev/loop0 --rw write|--rw write on a block device overwrites its contents: add --force",
        "doctor --nope|unknown option for kaio doctor: --nope",
        "soak --threads 0|--threads must be in [1, 256]: 0",
        "soak --size 4k|--size too small: need at least 131072 bytes for 4 threads",
        "soak --seed x|invalid number for --seed: x",
        "frobnicate|unknown command: frobnicate",
        "--nope|unknown command: --nope"})
    void usageErrorsSayWhatIsWrong(String line, String message) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(line.split(" "), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertEquals(2, rc);
        assertEquals("kaio: " + message + "\nrun 'kaio --help' for usage\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noCommandIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Main.run(new String[0], new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("kaio: no command given\n"));
    }

    @Test
    void laterOptionsOverrideEarlierOnesAsInFio() throws Exception {
        BenchOptions o = parse("--bs", "4k", "--bs", "8k", "--direct", "0", "--direct=1");
        assertEquals(8192, o.blockSize());
        assertTrue(o.direct());
    }

    static String runOk(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
