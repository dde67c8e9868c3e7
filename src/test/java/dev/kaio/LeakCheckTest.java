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

import dev.kaio.engine.AioQueue;
import dev.kaio.engine.RawFile;
import dev.kaio.testing.Fds;
import dev.kaio.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leak check itself can fail: it sees contexts, arenas and descriptors left open, including a
 * pipe kaio knows nothing about (only /proc/self/fd shows it), and their return.
 */
class LeakCheckTest {

    @Test
    void theLeakCheckSeesWhatIsLeftOpenAndWhenItIsClosed() throws Exception {
        LeakCheckExtension.Snapshot before = LeakCheckExtension.Snapshot.now();
        Path f = TestFiles.newDirectory("leak").resolve("f");
        Files.write(f, new byte[10]);
        AioContext ctx = AioContext.open(16);
        AioQueue q = AioQueue.open(8);
        RawFile raw = RawFile.open(f, StandardOpenOption.READ);
        int[] pipe = Fds.pipe();
        List<String> leaks;
        try {
            leaks = LeakCheckExtension.compare(before, 0);
            LeakCheckExtension.Snapshot now = LeakCheckExtension.Snapshot.now();
            assertEquals(5, leaks.size(), leaks.toString());
            assertTrue(leaks.get(0).startsWith("AIO rings in /proc/self/maps " + before.aioRings() + " -> "
                    + (before.aioRings() + 2)), leaks.get(0));
            // the file and both ends of the pipe, seen by the kernel; how many eventfds the context holds is
            // its own business, but kaio must count every descriptor it opened: all the new ones but the pipe's
            assertTrue(leaks.get(1).startsWith("open descriptors in /proc/self/fd: "), leaks.get(1));
            assertTrue(leaks.get(1).contains(f.toRealPath() + " 0 -> 1"), leaks.get(1));
            int pipes = before.openFds().getOrDefault("pipe", 0);
            assertTrue(leaks.get(1).contains("pipe " + pipes + " -> " + (pipes + 2)), leaks.get(1));
            int seenByKernel = total(now.openFds()) - total(before.openFds());
            assertEquals(seenByKernel - 2, now.descriptors() - before.descriptors(),
                    "kaio's count of its descriptors against /proc/self/fd (minus the test's pipe): " + leaks);
            assertTrue(leaks.get(2).contains("contexts " + before.contexts() + " -> " + (before.contexts() + 2)), leaks.get(2));
            assertTrue(now.arenas() > before.arenas(), leaks.get(3));
            assertTrue(leaks.get(3).startsWith("native arenas " + before.arenas() + " -> " + now.arenas()), leaks.get(3));
            assertTrue(leaks.get(4).startsWith("file descriptors " + before.descriptors() + " -> " + now.descriptors()),
                    leaks.get(4));
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
            raw.close();
            q.close();
            ctx.close();
        }
        assertEquals(List.of(), LeakCheckExtension.compare(before, 5_000));
    }

    private static int total(java.util.Map<String, Integer> fds) {
        return fds.values().stream().mapToInt(Integer::intValue).sum();
    }
}
