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
package dev.kaio.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * The last line against a hang, for what has no JUnit timeout (jqwik properties, a stuck teardown):
 * this listener (registered through META-INF/services for every JUnit Platform engine) starts a
 * daemon thread that, once the test JVM has run for {@code kaio.test.forkTimeoutSeconds} (a system
 * property; without it nothing is watched), prints a dump of every thread to stderr and to
 * {@code target/hang-<pid>.txt}, then ends the JVM with exit status {@value #EXIT_STATUS}. Surefire
 * and failsafe then fail the build ("The forked VM terminated without properly saying goodbye"),
 * naming the test class that was running.
 *
 * <p>Why not surefire's own {@code forkedProcessTimeoutInSeconds}: since 3.0.0-M6 it does not kill
 * the fork (SUREFIRE-1722; checked with 3.5.2 here: a hanging fork ran on for 10 minutes past a
 * 60-second timeout). It stays configured, a minute later than this, in case a later surefire honours it.
 */
public final class ForkWatchdog implements LauncherSessionListener {

    /** The exit status of a test JVM ended by the watchdog (as timeout(1) uses). */
    public static final int EXIT_STATUS = 124;
    private static Thread watchdog;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        start();
    }

    static synchronized void start() {
        String seconds = System.getProperty("kaio.test.forkTimeoutSeconds");
        if (watchdog != null || seconds == null || seconds.isBlank()) {
            return;
        }
        long timeout = Long.parseLong(seconds.trim());
        long startedAt = ManagementFactory.getRuntimeMXBean().getStartTime();
        long deadline = startedAt + TimeUnit.SECONDS.toMillis(timeout);
        watchdog = Thread.ofPlatform().daemon().name("kaio-fork-watchdog").start(() -> {
            try {
                long wait;
                while ((wait = deadline - System.currentTimeMillis()) > 0) {
                    Thread.sleep(wait);
                }
            } catch (InterruptedException e) {
                return;
            }
            String dump = ThreadDumps.dump("kaio fork watchdog: this test JVM has run for "
                    + (System.currentTimeMillis() - startedAt) / 1000 + " s, longer than kaio.test.forkTimeoutSeconds="
                    + timeout + ": a test hangs; ending the JVM with exit status " + EXIT_STATUS);
            System.err.println(dump);
            System.err.flush();
            System.out.flush();
            try {
                Path dir = Path.of(System.getProperty("kaio.test.workdir", "target/test-work")).toAbsolutePath().getParent();
                Files.writeString(dir.resolve("hang-" + ProcessHandle.current().pid() + ".txt"), dump);
            } catch (IOException | RuntimeException e) {
                System.err.println("kaio fork watchdog: could not write the dump to a file: " + e);
            }
            Runtime.getRuntime().halt(EXIT_STATUS); // shutdown hooks could be what hangs
        });
    }
}
