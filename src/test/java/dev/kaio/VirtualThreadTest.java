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
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Virtual threads blocking on kaio futures, or on kaio's back-pressure, do not pin their carrier. The
 * scenario ({@link dev.kaio.testing.VirtualThreadMain}) runs in a child JVM with one carrier thread and
 * observes each wait before the next step (no step is ordered by a pause): A waits on a poll that holds
 * the only slot, B is seen waiting for a slot inside {@code AioFile.read} with every slot in flight,
 * and C, which must run on the same carrier, releases both.
 */
class VirtualThreadTest {

    @Test
    void waitingOnAFutureOrForASlotUnmountsTheVirtualThread() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        var file = TestFiles.newDirectory("vt").resolve("f");
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1",
                "-cp", System.getProperty("java.class.path"),
                "dev.kaio.testing.VirtualThreadMain", file.toString())).redirectErrorStream(true).start();
        // a hang guard (the child bounds each of its own waits at 20 s): not a performance expectation
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.print(out);
        assertTrue(finished, "the child JVM did not finish\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("carriers: jdk.virtualThreadScheduler.parallelism=1"), out);
        assertTrue(out.contains("A waits on its poll: WAITING, inFlight 1 of 1"), out);
        assertTrue(out.contains("B waits for a slot: WAITING inside AioFile.read, which has not returned, inFlight 1 of 1"),
                out);
        assertTrue(out.contains("OK written revents="), out);
        assertTrue(out.contains("read=4096"), out);
    }
}
