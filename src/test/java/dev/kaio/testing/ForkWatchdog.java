package dev.kaio.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * The last line against a hang: surefire and failsafe kill a test JVM that runs longer than
 * {@code forkedProcessTimeoutInSeconds}, which says only "There was a timeout in the fork". This
 * listener (registered through META-INF/services for every JUnit Platform engine, so it also watches
 * jqwik, which has no per-test timeout) starts a daemon thread that, {@value #MARGIN_SECONDS} s
 * before that deadline, prints a dump of every thread to stderr and to
 * {@code target/hang-<pid>.txt}. The deadline is the system property {@code kaio.test.forkTimeoutSeconds}
 * (set from the same Maven property as the fork timeout), counted from the JVM's start; without it
 * nothing is watched.
 */
public final class ForkWatchdog implements LauncherSessionListener {

    static final long MARGIN_SECONDS = 30;
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
        long dumpAt = startedAt + TimeUnit.SECONDS.toMillis(Math.max(1, timeout - Math.min(MARGIN_SECONDS, timeout / 4)));
        watchdog = Thread.ofPlatform().daemon().name("kaio-fork-watchdog").start(() -> {
            try {
                long wait;
                while ((wait = dumpAt - System.currentTimeMillis()) > 0) {
                    Thread.sleep(wait);
                }
            } catch (InterruptedException e) {
                return;
            }
            String dump = ThreadDumps.dump("kaio fork watchdog: this test JVM is still running after "
                    + (System.currentTimeMillis() - startedAt) / 1000 + " s and will be killed at " + timeout
                    + " s (kaio.test.forkTimeoutSeconds): a test hangs");
            System.err.println(dump);
            System.err.flush();
            try {
                Path dir = Path.of(System.getProperty("kaio.test.workdir", "target/test-work")).toAbsolutePath().getParent();
                Files.writeString(dir.resolve("hang-" + ProcessHandle.current().pid() + ".txt"), dump);
            } catch (IOException | RuntimeException e) {
                System.err.println("kaio fork watchdog: could not write the dump to a file: " + e);
            }
        });
    }
}
