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
package dev.kaio.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of a qemu guest of vm/ ({@code run-guest.sh} or {@code run-guest-arm64.sh}) with this
 * project's test suite in it, as {@link NfsGuestIT} and {@link Aarch64GuestIT} do it: a share holding
 * the compiled classes, the test classes and the test classpath's jars; a {@code run.sh} that starts
 * JUnit's console launcher on the chosen classes inside the guest; the script's exit code, its
 * output, the guest's files and its JUnit reports afterwards.
 */
final class GuestRun {

    /** The tests the guest must run with at least one test each that was not skipped. */
    final List<String> classes;
    /** The shared directory (guest path /share). */
    final Path share;
    /** What run-guest*.sh printed, then run.sh's output as the guest wrote it. */
    String output = "";
    String runLog = "";
    int exitCode = -1;
    DockerHarnessIT.Results results;

    private GuestRun(List<String> classes, Path share) {
        this.classes = classes;
        this.share = share;
    }

    /**
     * A new share with the classes, the test classes and the test classpath's jars, and a run.sh that
     * runs {@code classes} in one guest JVM: {@code setup} (shell lines run first), then
     * {@code java --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -Xss1m}, {@code jvmArgs}
     * (each a line of options, already quoted for sh), the console launcher with the reports in
     * /share/reports/guest (the tests tagged {@code host-only} left out).
     */
    static GuestRun prepare(String name, List<String> classes, String setup, List<String> jvmArgs) throws IOException {
        GuestRun run = new GuestRun(classes, TestFiles.newDirectory(name));
        copyTree(Path.of(System.getProperty("kaio.test.classes", "target/classes")), run.share.resolve("classes"));
        copyTree(Path.of(System.getProperty("kaio.test.testClasses", "target/test-classes")),
                run.share.resolve("test-classes"));
        Files.createDirectories(run.share.resolve("cp"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String file = p.getFileName().toString();
            if (Files.isRegularFile(p) && file.endsWith(".jar") && DockerHarnessIT.wantedInContainer(file)) {
                Files.copy(p, run.share.resolve("cp").resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        StringBuilder script = new StringBuilder("#!/bin/sh\n# run by the guest's busybox sh, in /share\n")
                .append(setup.strip()).append('\n')
                .append("java --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -Xss1m \\\n")
                .append("  -cp \"/share/classes:/share/test-classes:/share/cp/*\" \\\n");
        for (String line : jvmArgs) {
            script.append("  ").append(line).append(" \\\n");
        }
        script.append("  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \\\n")
                .append("  --disable-ansi-colors --exclude-tag host-only --reports-dir /share/reports/guest \\\n")
                .append("  --config 'junit.jupiter.execution.timeout.default=20 m'");
        for (String c : classes) {
            script.append(" --select-class ").append(c);
        }
        Files.writeString(run.share.resolve("run.sh"), script.append('\n').toString());
        return run;
    }

    /**
     * Runs {@code vmScript} on the share with the guest's console kept quiet and {@code env} added,
     * waits at most {@code minutes}, and reads back the output, the exit code and the JUnit reports.
     * {@code logName} (under target/) gets the script's output followed by run.sh's.
     */
    GuestRun boot(Path vmScript, Map<String, String> env, int minutes, String logName) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(vmScript.toString(), share.toString()).redirectErrorStream(true);
        pb.environment().put("KAIO_VM_QUIET", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(minutes, TimeUnit.MINUTES), vmScript.getFileName() + ": the guest did not finish");
        exitCode = p.exitValue();
        runLog = Files.exists(share.resolve("run.log")) ? Files.readString(share.resolve("run.log")) : "";
        Files.writeString(Path.of("target").resolve(logName), output + "\n" + runLog);
        results = DockerHarnessIT.Results.read(share.resolve("reports"));
        return this;
    }

    /** A file the guest wrote to the share, trimmed, or "?" when it did not. */
    String guestFile(String name) throws IOException {
        Path p = share.resolve(name);
        return Files.exists(p) ? Files.readString(p).trim() : "?";
    }

    /**
     * Fails with the guest's failures, then with the script's output if it exited non-zero, then if a
     * chosen class ran no test that was not skipped, or fewer than {@code atLeast} tests ran in all
     * (skipped tests did not run: they do not count).
     */
    void assertPassed(String guest, int atLeast) throws IOException {
        if (!results.failures.isEmpty()) {
            fail("inside the " + guest + ":\n" + String.join("\n", results.failures));
        }
        assertEquals(0, exitCode, "the " + guest + " failed:\n" + output + "\n" + runLog);
        Map<String, Integer> ran = ranPerClass(share.resolve("reports"));
        for (String c : classes) {
            assertTrue(ran.getOrDefault(c, 0) > 0, c + " ran no test in the " + guest + " (ran: " + ran + ")");
        }
        int notSkipped = results.tests - results.skipped;
        assertTrue(notSkipped >= atLeast, "only " + notSkipped + " tests ran in the " + guest + " (" + results.tests
                + " found, " + results.skipped + " skipped)");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var stream = Files.walk(from)) {
            for (Path src : stream.toList()) {
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Tests per class that ran (not skipped), from the guest's JUnit XML reports. */
    static Map<String, Integer> ranPerClass(Path reports) throws IOException {
        Pattern testcase = Pattern.compile("<testcase [^>]*classname=\"([^\"]*)\"[^>]*?(/?)>(\\s*<skipped)?");
        Map<String, Integer> ran = new TreeMap<>();
        try (var stream = Files.walk(reports)) {
            for (Path xml : stream.filter(f -> f.getFileName().toString().endsWith(".xml")).toList()) {
                Matcher m = testcase.matcher(Files.readString(xml, StandardCharsets.UTF_8));
                while (m.find()) {
                    boolean skipped = m.group(2).isEmpty() && m.group(3) != null;
                    ran.merge(m.group(1), skipped ? 0 : 1, Integer::sum);
                }
            }
        }
        return ran;
    }
}
