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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

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

    /**
     * Run through the JUnit launcher, a class that leaves a pipe open fails its leak check when its test
     * passed, and is not held up by it when its test failed (the leak wait is set to a minute here, so
     * waiting would show).
     */
    @Test
    void aLeakFailsAPassingClassAndDoesNotDelayAFailedOne() throws Exception {
        String wait = System.getProperty("kaio.test.leakWaitMillis");
        System.setProperty(Specimen.ENABLED, "true");
        try {
            System.setProperty("kaio.test.leakWaitMillis", "0");
            TestExecutionSummary passing = run(LeaksAndPasses.class);
            assertEquals(1, passing.getTestsSucceededCount(), "the specimen's test itself passes");
            assertEquals(1, passing.getContainersFailedCount(), "its class fails the leak check");
            Throwable leak = passing.getFailures().get(0).getException();
            assertTrue(leak.getMessage().contains("leaked: open descriptors in /proc/self/fd: ")
                    && leak.getMessage().contains("pipe "), leak.getMessage());

            System.setProperty("kaio.test.leakWaitMillis", String.valueOf(TimeUnit.MINUTES.toMillis(1)));
            long start = System.nanoTime();
            TestExecutionSummary failing = run(LeaksAndFails.class);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertEquals(1, failing.getTestsFailedCount(), "the specimen's test fails");
            assertEquals(0, failing.getContainersFailedCount(), "no leak failure on top of the test's");
            assertTrue(seconds < 30, "the failed class waited for its leak to go away: " + seconds + " s");
        } finally {
            System.clearProperty(Specimen.ENABLED);
            if (wait == null) {
                System.clearProperty("kaio.test.leakWaitMillis");
            } else {
                System.setProperty("kaio.test.leakWaitMillis", wait);
            }
            Specimen.closeAll();
        }
    }

    private static TestExecutionSummary run(Class<?> specimen) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(specimen))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build(), listener);
        return listener.getSummary();
    }

    /** Pipes the specimens leave open, closed by the test that ran them. */
    static final class Specimen {
        static final String ENABLED = "kaio.test.leakCheckSpecimens";
        private static final List<Integer> OPEN = new java.util.concurrent.CopyOnWriteArrayList<>();

        static void leakAPipe() throws java.io.IOException {
            int[] pipe = Fds.pipe();
            OPEN.add(pipe[0]);
            OPEN.add(pipe[1]);
        }

        static void closeAll() {
            for (int fd : OPEN) {
                Fds.close(fd);
            }
            OPEN.clear();
        }
    }

    /** Run only through {@link #aLeakFailsAPassingClassAndDoesNotDelayAFailedOne}. */
    @EnabledIfSystemProperty(named = Specimen.ENABLED, matches = "true")
    static class LeaksAndPasses {
        @Test
        void leavesAPipeOpen() throws Exception {
            Specimen.leakAPipe();
        }
    }

    /** Run only through {@link #aLeakFailsAPassingClassAndDoesNotDelayAFailedOne}. */
    @EnabledIfSystemProperty(named = Specimen.ENABLED, matches = "true")
    static class LeaksAndFails {
        @Test
        void leavesAPipeOpenAndFails() throws Exception {
            Specimen.leakAPipe();
            throw new AssertionError("a planted failure");
        }
    }

    private static int total(java.util.Map<String, Integer> fds) {
        return fds.values().stream().mapToInt(Integer::intValue).sum();
    }
}
