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
        List<String> leaks = LeakCheckExtension.compare(before, 0);
        assertEquals(5, leaks.size(), leaks.toString());
        assertTrue(leaks.get(0).startsWith("AIO rings in /proc/self/maps " + before.aioRings() + " -> "
                + (before.aioRings() + 2)), leaks.get(0));
        // the context's wake-up eventfd, the file, and both ends of the pipe
        String eventFds = "anon_inode:[eventfd] " + before.openFds().getOrDefault("anon_inode:[eventfd]", 0) + " -> "
                + (before.openFds().getOrDefault("anon_inode:[eventfd]", 0) + 1);
        String pipes = "pipe " + before.openFds().getOrDefault("pipe", 0) + " -> " + (before.openFds().getOrDefault("pipe", 0) + 2);
        assertTrue(leaks.get(1).startsWith("open descriptors in /proc/self/fd: "), leaks.get(1));
        assertTrue(leaks.get(1).contains(f.toRealPath() + " 0 -> 1"), leaks.get(1));
        assertTrue(leaks.get(1).contains(eventFds), leaks.get(1));
        assertTrue(leaks.get(1).contains(pipes), leaks.get(1));
        assertTrue(leaks.get(2).contains("contexts " + before.contexts() + " -> " + (before.contexts() + 2)), leaks.get(2));
        // the context's arena and its wake-up eventfd's arena, and the queue's arena
        assertTrue(leaks.get(3).contains("native arenas " + before.arenas() + " -> " + (before.arenas() + 3)), leaks.get(3));
        // kaio counts the wake-up eventfd and the file, not the test's pipe
        assertTrue(leaks.get(4).contains("file descriptors " + before.descriptors() + " -> " + (before.descriptors() + 2)),
                leaks.get(4));
        Fds.close(pipe[0]);
        Fds.close(pipe[1]);
        raw.close();
        q.close();
        ctx.close();
        assertEquals(List.of(), LeakCheckExtension.compare(before, 5_000));
    }
}
