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

import dev.kaio.testing.ConsoleLauncherRun;
import dev.kaio.testing.ForkWatchdog;
import dev.kaio.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The guards around every test can fail: deliberately broken classes (package dev.kaio.planted, tag
 * "planted", excluded from the build) run in a child JVM with the same registrations as the build
 * (META-INF/services, junit-platform.properties), and the child must report each breakage.
 */
class GuardsTest {

    @Test
    void aHangingTestFailsWithAThreadDump() throws Exception {
        ConsoleLauncherRun run = ConsoleLauncherRun.start(List.of(),
                List.of("--config", "junit.jupiter.execution.timeout.default=2 s", "--select-class",
                        "dev.kaio.planted.PlantedHangTest"));
        int exit = run.await(120);
        String out = run.output();
        assertEquals(1, exit, "the launcher must report a failed test\n" + out);
        assertTrue(out.contains("waitsForAFutureNobodyCompletes() timed out after 2 seconds"), out);
        assertTrue(out.contains("==== waitsForAFutureNobodyCompletes() timed out after 2 seconds (thread dump"), out);
        assertTrue(Pattern.compile("\tat (app//)?dev\\.kaio\\.planted\\.PlantedHangTest\\.waitsForAFutureNobodyCompletes")
                .matcher(out).find(), "the dump shows where the test is stuck\n" + out);
    }

    @Test
    void aHangingPropertyIsDumpedAndEndedByTheForkWatchdog() throws Exception {
        // jqwik has no per-test timeout: only the watchdog ends this, with a dump
        Path work = TestFiles.newDirectory("guards").resolve("test-work"); // the dump file goes next to it
        ConsoleLauncherRun run = ConsoleLauncherRun.start(List.of("-Dkaio.test.forkTimeoutSeconds=8",
                "-Dkaio.test.workdir=" + work), List.of("--select-class", "dev.kaio.planted.PlantedHangProperty"));
        int exit = run.await(120);
        String out = run.output();
        Path dumpFile = work.resolveSibling("hang-" + run.pid() + ".txt");
        assertTrue(Files.readString(dumpFile).contains("PlantedHangProperty.sleepsForever"), "the dump in " + dumpFile);
        assertEquals(ForkWatchdog.EXIT_STATUS, exit, "the watchdog must end the JVM\n" + out);
        assertTrue(out.contains("kaio fork watchdog: this test JVM has run for"), out);
        assertTrue(out.contains("longer than kaio.test.forkTimeoutSeconds=8: a test hangs"), out);
        assertTrue(Pattern.compile("\tat (app//)?dev\\.kaio\\.planted\\.PlantedHangProperty\\.sleepsForever").matcher(out).find(),
                "the dump shows where the property is stuck\n" + out);
    }

    @Test
    void leaksFailJqwikAndJupiterClassesAlike() throws Exception {
        ConsoleLauncherRun run = ConsoleLauncherRun.start(List.of("-Dkaio.test.leakWaitMillis=200"),
                List.of("--select-class", "dev.kaio.planted.PlantedLeakProperty", "--select-class",
                        "dev.kaio.planted.PlantedLeakTest"));
        int exit = run.await(120);
        String out = run.output();
        assertEquals(1, exit, "the launcher must report the leaks as failures\n" + out);
        // jqwik: a pipe only /proc/self/fd knows about
        assertTrue(Pattern.compile("PlantedLeakProperty leaked: open descriptors in /proc/self/fd: [^\\n]*pipe \\d+ -> \\d+")
                .matcher(out).find(), out);
        // Jupiter: a context, seen in /proc/self/maps and by kaio's own count
        assertTrue(Pattern.compile("PlantedLeakTest leaked: AIO rings in /proc/self/maps 0 -> 1").matcher(out).find(), out);
        assertTrue(out.contains("kernel AIO contexts 0 -> 1"), out);
    }
}
