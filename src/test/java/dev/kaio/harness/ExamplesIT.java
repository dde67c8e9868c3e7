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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The examples are built and tested as a user would build them: the jar this build just packaged is
 * installed into the local Maven repository (~/.m2) under its coordinates, then each example, a Maven
 * project of its own that depends on {@code dev.kaio:kaio} by those coordinates and uses only its
 * public API, runs {@code mvn clean verify} with the JDK running this test. The example's JUnit
 * reports must show every expected test run and passed (none skipped); the write-ahead log's SIGKILL
 * crash test's summaries are added to target/reliability-summary.txt.
 */
class ExamplesIT {

    /** The tests the write-ahead log example must have run, each at least this many times. */
    static final Map<String, Integer> WAL_TESTS = Map.of(
            "WalCrashTest.everyAcknowledgedRecordSurvivesASigkillOfTheWriter", 5,
            "WriteAheadLogTest.recordsFromEightThreadsAreRecoveredInOrderWithTheirBytes", 3,
            "LogRecoveryTest.aTornLastRecordIsTheEnd", 1,
            "LogRecoveryTest.garbageInTheZerosThatEndABatchStopsTheScan", 1);

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void theWriteAheadLogExampleBuildsOnTheInstalledJarAndItsCrashTestPasses() throws Exception {
        String mavenHome = System.getProperty("kaio.test.maven.home", "");
        assumeTrue(!mavenHome.isEmpty() && Files.isExecutable(Path.of(mavenHome, "bin", "mvn")),
                "the Maven that runs this build is unknown (kaio.test.maven.home, set by the pom's failsafe "
                        + "configuration): run it with ./build verify");
        Path jar = Path.of(System.getProperty("kaio.test.jar", "")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the packaged jar " + jar + " is missing (ITs run after package)");
        Path example = Path.of("examples/wal").toAbsolutePath();
        Path log = Path.of(System.getProperty("kaio.test.workdir", "target/test-work")).toAbsolutePath()
                .resolveSibling("examples-wal-build.log");
        Files.createDirectories(log.getParent());

        // 1. the jar under its coordinates, as `mvn install` would put it
        mvn(mavenHome, log, List.of("org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file",
                "-Dfile=" + jar, "-DpomFile=" + Path.of("pom.xml").toAbsolutePath()), Path.of("."));
        // 2. the example's own build and tests against it
        mvn(mavenHome, log, List.of("-f", example.resolve("pom.xml").toString(), "clean", "verify",
                "-Dkaio.version=" + System.getProperty("kaio.test.version", "0.1.0-SNAPSHOT")), example);

        Map<String, int[]> ran = new TreeMap<>(); // class.method -> {run, failed, skipped}
        Path reports = example.resolve("target/surefire-reports");
        try (Stream<Path> files = Files.list(reports)) {
            for (Path xml : files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                readReport(Files.readString(xml), ran);
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Integer> want : WAL_TESTS.entrySet()) {
            int[] r = ran.getOrDefault(want.getKey(), new int[3]);
            if (r[0] < want.getValue()) {
                problems.add(want.getKey() + " ran " + r[0] + " times, expected " + want.getValue());
            }
        }
        ran.forEach((test, r) -> {
            if (r[1] > 0 || r[2] > 0) {
                problems.add(test + ": " + r[1] + " failed, " + r[2] + " skipped");
            }
        });
        if (!problems.isEmpty()) {
            fail("the WAL example's tests: " + problems + " (build log: " + log + ")");
        }

        List<String> summaries = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(example.resolve("target/test-work"))) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("crash")).sorted().toList()) {
                Path summary = d.resolve("summary.txt");
                if (Files.exists(summary)) {
                    summaries.add(Files.readString(summary).trim());
                }
            }
        }
        assertEquals(WAL_TESTS.get("WalCrashTest.everyAcknowledgedRecordSurvivesASigkillOfTheWriter"), summaries.size(),
                "crash test summaries: " + summaries);
        Path summaryFile = log.resolveSibling("reliability-summary.txt");
        for (String s : summaries) {
            System.out.println(s);
            Files.writeString(summaryFile, s + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    private static final Pattern TESTCASE = Pattern.compile(
            "<testcase name=\"([^\"(\\[]+)[^\"]*\" classname=\"[^\"]*\\.([A-Za-z0-9_]+)\"[^>]*?(/>|>(.*?)</testcase>)",
            Pattern.DOTALL);

    /** Counts each test method's runs, failures (failure or error) and skips from one JUnit XML report. */
    static void readReport(String xml, Map<String, int[]> ran) {
        Matcher m = TESTCASE.matcher(xml);
        while (m.find()) {
            int[] r = ran.computeIfAbsent(m.group(2) + "." + m.group(1), k -> new int[3]);
            r[0]++;
            String body = m.group(4) == null ? "" : m.group(4);
            if (body.contains("<failure") || body.contains("<error")) {
                r[1]++;
            }
            if (body.contains("<skipped")) {
                r[2]++;
            }
        }
    }

    /** Runs Maven on this test's JDK, appending its output to {@code log}; fails with the log's tail. */
    private static void mvn(String mavenHome, Path log, List<String> args, Path dir) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(mavenHome, "bin", "mvn").toString(), "-B",
                "-Dstyle.color=never"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        String javaHome = System.getProperty("java.home");
        pb.environment().put("JAVA_HOME", javaHome);
        // Maven 3.8's bundled Guava uses sun.misc.Unsafe, which JDK 24+ warns about (as ./build does)
        pb.environment().put("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow");
        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process p = pb.start();
        if (!p.waitFor(25, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("timed out: " + cmd + " (log: " + log + ")");
        }
        if (p.exitValue() != 0) {
            fail(cmd + " exited with " + p.exitValue() + ":\n" + tail(log, 60));
        }
    }

    private static String tail(Path log, int lines) throws IOException {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
