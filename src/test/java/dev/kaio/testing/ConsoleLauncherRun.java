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

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs test classes in a child JVM with the JUnit console launcher, on this project's test classpath
 * (the console launcher's standalone jar replaces the separate JUnit jars, which would register the
 * engines twice), and collects what it prints.
 */
public final class ConsoleLauncherRun {

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    private ConsoleLauncherRun(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("console-launcher-output").start(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = process.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                output.append("\n(reading the child's output failed: ").append(e).append(")\n");
            }
        });
    }

    /** Starts {@code java [jvmOptions] ConsoleLauncher execute [launcherOptions]}. */
    public static ConsoleLauncherRun start(List<String> jvmOptions, List<String> launcherOptions) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xss1m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classpath(), "org.junit.platform.console.ConsoleLauncher", "execute", "--disable-banner",
                "--disable-ansi-colors", "--details=tree"));
        cmd.addAll(launcherOptions);
        return new ConsoleLauncherRun(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    static String classpath() {
        List<String> keep = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (Files.isDirectory(Path.of(entry)) || name.startsWith("junit-platform-console-standalone")
                    || !(name.startsWith("junit-") || name.startsWith("opentest4j") || name.startsWith("apiguardian")
                            || name.startsWith("surefire") || name.startsWith("failsafe") || name.startsWith("common-")
                            || name.startsWith("maven-"))) {
                keep.add(entry);
            }
        }
        return String.join(File.pathSeparator, keep);
    }

    /** Waits for the child to exit; kills it after {@code seconds}. Returns the exit code. */
    public int await(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);
            throw new AssertionError("the child JVM did not exit within " + seconds + " s:\n" + output);
        }
        reader.join(10_000);
        return process.exitValue();
    }

    /** Waits until the output contains {@code text} (true), or {@code seconds} pass (false). */
    public boolean awaitOutput(String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (output.indexOf(text) < 0) {
            if (System.nanoTime() > deadline || (!process.isAlive() && !reader.isAlive())) {
                return output.indexOf(text) >= 0;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** SIGKILL, as surefire does to a fork that outlived its timeout. */
    public void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(10_000);
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        return output.toString();
    }
}
