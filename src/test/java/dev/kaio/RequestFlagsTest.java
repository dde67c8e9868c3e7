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

import static dev.kaio.testing.TestFiles.assertBytesEqual;
import static dev.kaio.testing.TestFiles.randomBytes;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.testing.Futures;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-request flags and priorities reach the kernel, shown by what the kernel does with them:
 * RWF_APPEND by where the data lands, and a real-time I/O priority by the EPERM it earns a process
 * without CAP_SYS_ADMIN/CAP_SYS_NICE. (RWF_DSYNC/RWF_SYNC are shown by the device's flush counter in
 * FlushCountTest and by the lazy FUSE filesystem in PowerLossTest; RWF_NOWAIT by the EAGAIN of a cold
 * page cache in KernelFeaturesTest.)
 */
class RequestFlagsTest {

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void appendWritesLandAtTheEndWhateverThePositionSays(boolean direct) throws Exception {
        Path path = TestFiles.newDirectory("append").resolve("f");
        int bs = 4096;
        byte[] head = randomBytes(1, 2 * bs);
        Files.write(path, head);
        int n = 8;
        try (AioContext ctx = AioContext.open(16);
                AioFile f = direct ? AioFile.open(ctx, path, READ, WRITE, AioOpenOption.DIRECT)
                        : AioFile.open(ctx, path, READ, WRITE);
                Arena arena = Arena.ofShared()) {
            // n appends in flight at once, all "at position 0": each must land after the others, none over the head
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                MemorySegment b = DirectBuffers.allocate(arena, bs, bs);
                b.fill((byte) ('A' + i));
                writes.add(f.write(b, 0, IoOptions.of(RwFlag.APPEND)));
            }
            for (CompletableFuture<Integer> w : writes) {
                assertEquals(bs, Futures.await(w, 60));
            }
            assertEquals((long) (2 + n) * bs, f.size(), "each RWF_APPEND write extended the file by its length");
        }
        byte[] all = Files.readAllBytes(path);
        assertBytesEqual(head, Arrays.copyOf(all, head.length), "the data at position 0, which the appends named");
        Set<Byte> blocks = new HashSet<>();
        for (int i = 0; i < n; i++) {
            byte[] block = Arrays.copyOfRange(all, (2 + i) * bs, (3 + i) * bs);
            byte first = block[0];
            for (byte x : block) {
                assertEquals(first, x, "appended block " + i + " is torn");
            }
            blocks.add(first);
        }
        assertEquals(n, blocks.size(), "every append landed in a block of its own");
    }

    @Test
    @Tag("child-jvm") // kaio runs in the child: left out of mutation testing, whose mutants live in this JVM only
    void aRealTimePriorityIsRefusedWithoutCapSysAdminOrCapSysNice() throws Exception {
        LoopDevice.assumeRoot("dropping capabilities for a child process (setpriv)");
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "setpriv (util-linux) is not installed");
        Path file = TestFiles.newDirectory("ioprio").resolve("f");
        Files.write(file, new byte[4096]);

        // with every capability (root): RT is accepted, as are BE and IDLE
        String privileged = runChild(List.of(), file);
        assertTrue(privileged.contains("RT 10\n"), "RT as root:\n" + privileged);
        assertTrue(privileged.contains("BE 10\n") && privileged.contains("IDLE 10\n"), privileged);

        // the same child with no capabilities at all (still uid 0): the kernel's ioprio_check_cap refuses RT
        String unprivileged = runChild(List.of(setpriv.toString(), "--inh-caps=-all", "--ambient-caps=-all",
                "--bounding-set=-all", "--"), file);
        assertTrue(unprivileged.contains("CapEff 0000000000000000\n"), "the child kept capabilities:\n" + unprivileged);
        assertTrue(unprivileged.contains("RT EPERM\n"), "RT without CAP_SYS_ADMIN/CAP_SYS_NICE:\n" + unprivileged);
        assertTrue(unprivileged.contains("BE 10\n") && unprivileged.contains("IDLE 10\n"),
                "only RT is privileged:\n" + unprivileged);
    }

    private static String runChild(List<String> prefix, Path file) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.kaio.testing.IoPriorityMain", file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child did not finish:\n" + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
