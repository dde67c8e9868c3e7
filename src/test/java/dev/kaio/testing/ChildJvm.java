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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A second JVM on this one's class path: for properties read once per JVM, and for a second process. */
public final class ChildJvm {

    private ChildJvm() {}

    /** The command line: this JVM's java, {@code jvmArgs}, the test class path, {@code main}, {@code args}. */
    public static List<String> command(List<String> jvmArgs, String main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts it with stderr merged into stdout. */
    public static Process start(List<String> jvmArgs, String main, String... args) throws IOException {
        return new ProcessBuilder(command(jvmArgs, main, args)).redirectErrorStream(true).start();
    }

    /**
     * Runs it to the end and returns what it printed. {@code hangGuardSeconds} only bounds a hang.
     *
     * @throws AssertionError if it does not exit in time (it is killed) or exits non-zero
     */
    public static String run(int hangGuardSeconds, List<String> jvmArgs, String main, String... args)
            throws IOException, InterruptedException {
        Process p = start(jvmArgs, main, args);
        p.getOutputStream().close();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = ("(reading the child's output failed: " + e + ")").getBytes(StandardCharsets.UTF_8);
            }
        });
        boolean exited = p.waitFor(hangGuardSeconds, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        reader.join();
        String text = new String(out[0], StandardCharsets.UTF_8);
        if (!exited) {
            throw new AssertionError("child JVM " + main + " hung (killed after " + hangGuardSeconds + " s):\n" + text);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("child JVM " + main + " exited with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }
}
