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
import dev.kaio.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check itself can fail: it sees a context, an arena and a descriptor left open, and their return. */
class LeakCheckTest {

    @Test
    void theLeakCheckSeesWhatIsLeftOpenAndWhenItIsClosed() throws Exception {
        LeakCheckExtension.Snapshot before = LeakCheckExtension.Snapshot.now();
        Path f = TestFiles.newDirectory("leak").resolve("f");
        Files.write(f, new byte[10]);
        AioContext ctx = AioContext.open(16);
        AioQueue q = AioQueue.open(8);
        RawFile raw = RawFile.open(f, StandardOpenOption.READ);
        List<String> leaks = LeakCheckExtension.compare(before, 0);
        assertEquals(4, leaks.size(), leaks.toString());
        assertTrue(leaks.get(0).contains("fs.aio-nr " + before.aioNr() + " -> " + (before.aioNr() + 17 + 8)), leaks.get(0));
        assertTrue(leaks.get(1).contains("contexts " + before.contexts() + " -> " + (before.contexts() + 2)), leaks.get(1));
        // the context's arena and its wake-up eventfd's arena, and the queue's arena
        assertTrue(leaks.get(2).contains("native arenas " + before.arenas() + " -> " + (before.arenas() + 3)), leaks.get(2));
        // the context's wake-up eventfd and the file
        assertTrue(leaks.get(3).contains("file descriptors " + before.descriptors() + " -> " + (before.descriptors() + 2)),
                leaks.get(3));
        raw.close();
        q.close();
        ctx.close();
        assertEquals(List.of(), LeakCheckExtension.compare(before, 5_000));
    }
}
