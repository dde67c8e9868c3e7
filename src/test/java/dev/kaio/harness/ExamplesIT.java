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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples are built as a user would build them: maven-invoker-plugin (execution "examples" in
 * pom.xml, before the ITs) copies each examples/NAME to target/examples/NAME and runs its own
 * {@code mvn verify} against the jar this build just installed in target/it-repo, by its coordinates;
 * a failing example test fails the build there. This IT then reads the example's JUnit reports: every
 * expected test must have run, and none may have been skipped (a skip would pass the invoker). The
 * write-ahead log's crash test summaries go to target/reliability-summary.txt.
 */
class ExamplesIT {

    /** The tests the write-ahead log example must have run, each at least this many times. */
    static final Map<String, Integer> WAL_TESTS = Map.of(
            "WalCrashTest.everyAcknowledgedRecordSurvivesASigkillOfTheWriter", 5,
            "WriteAheadLogTest.recordsFromEightThreadsAreRecoveredInOrderWithTheirBytes", 3,
            "LogRecoveryTest.aTornLastRecordIsTheEnd", 1,
            "LogRecoveryTest.garbageInTheZerosThatEndABatchStopsTheScan", 1);

    @Test
    void theWriteAheadLogExampleBuildsOnTheInstalledJarAndItsCrashTestPasses() throws Exception {
        Path example = Path.of(System.getProperty("kaio.test.examples", "target/examples")).resolve("wal");
        Path reports = example.resolve("target/surefire-reports");
        assertTrue(Files.isDirectory(reports), "no test reports in " + reports + ": maven-invoker-plugin's execution "
                + "'examples' did not build examples/wal (see " + example.resolve("build.log") + ")");

        Map<String, int[]> ran = new TreeMap<>(); // class.method -> {runs, failed, skipped}
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
            fail("the WAL example's tests (" + reports + "): " + problems);
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
        Path summaryFile = Path.of(System.getProperty("kaio.test.workdir", "target/test-work"))
                .resolveSibling("reliability-summary.txt");
        for (String s : summaries) {
            assertTrue(s.contains("(lost 0)"), s);
            System.out.println(s);
            Files.writeString(summaryFile, s + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    private static final Pattern TESTCASE = Pattern.compile(
            "<testcase name=\"([^\"(\\[]+)[^\"]*\" classname=\"[^\"]*\\.([A-Za-z0-9_]+)\"[^>]*?(/>|>(.*?)</testcase>)",
            Pattern.DOTALL);

    /** Counts each test method's runs, failures (failure or error) and skips in one JUnit XML report. */
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

    @Test
    void theReportReaderCountsRunsFailuresAndSkips() {
        Map<String, int[]> ran = new TreeMap<>();
        readReport("""
                <testsuite name="x.A">
                  <testcase name="ok(String)[1]" classname="x.A" time="0.1"/>
                  <testcase name="ok(String)[2]" classname="x.A" time="0.1">
                    <system-out>hello</system-out>
                  </testcase>
                  <testcase name="bad" classname="x.A" time="0.1"><failure message="no"/></testcase>
                  <testcase name="gone" classname="x.A" time="0"><skipped/></testcase>
                </testsuite>""", ran);
        assertEquals(List.of(2, 0, 0), List.of(ran.get("A.ok")[0], ran.get("A.ok")[1], ran.get("A.ok")[2]));
        assertEquals(1, ran.get("A.bad")[1]);
        assertEquals(1, ran.get("A.gone")[2]);
    }
}
