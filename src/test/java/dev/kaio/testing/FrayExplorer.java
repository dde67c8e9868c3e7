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
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.pastalab.fray.core.TestRunner;
import org.pastalab.fray.core.command.Configuration;
import org.pastalab.fray.core.command.ExecutionInfo;
import org.pastalab.fray.core.command.MethodExecutor;
import org.pastalab.fray.core.command.NetworkDelegateType;
import org.pastalab.fray.core.command.SystemTimeDelegateType;
import org.pastalab.fray.core.observers.TimelineCoverage;
import org.pastalab.fray.core.observers.TimelineCoverageType;
import org.pastalab.fray.core.randomness.ControlledRandomProvider;
import org.pastalab.fray.core.scheduler.POSScheduler;

/**
 * Runs one method under Fray's controlled scheduler for a number of iterations and says what it
 * found. {@link FrayExplored} tests go through here; a test may also call {@link #explore} directly,
 * e.g. to assert that Fray does find a known bug.
 *
 * <p>The settings are those of Fray's own {@code @FrayTest} defaults (POS scheduler, a new class
 * loader per iteration, uncaught exceptions in any thread are bugs, timeline coverage by resource
 * ordering). Written against Fray 0.9.2's {@code Configuration}; a Fray upgrade that changes it fails
 * to compile here rather than behaving differently.
 */
public final class FrayExplorer {

    /**
     * The JUnit tag of every test that needs Fray. The build's surefire execution {@code fray-test}
     * runs exactly these, on Fray's JDK; all other test executions exclude it. Fray's own
     * {@code @FrayTest} carries the same tag.
     */
    public static final String TAG = "FrayTest";

    /** Set by the {@code fray-test} execution: there, a JVM without Fray is a build error, not a skip. */
    static final String REQUIRED_PROPERTY = "kaio.fray.required";

    /** {@code -Dkaio.fray.iterations=N}: every {@link FrayExplored} test runs N iterations. */
    static final String ITERATIONS_PROPERTY = "kaio.fray.iterations";

    /** Fray stops exploring a method after this long; stopping early fails the test (see {@link Exploration#check}). */
    static final int TIME_BUDGET_SECONDS = 600;

    private FrayExplorer() {}

    /** What one exploration did. */
    public record Exploration(String test, int requested, int iterations, int timelines, Throwable bug,
                              Path report, long millis) {

        /**
         * One line for the build log, e.g. "Fray: C.m: 1000 of 1000 iterations, 18 distinct timelines,
         * no bug, 6791 ms, report .../fray.log". Iterations are runs, each under its own schedule;
         * timelines counts the distinct orders in which the threads reached shared resources (Fray's
         * RESOURCE_ORDERING coverage), so it is the number of really different interleavings seen.
         */
        public String summary() {
            return "Fray: %s: %d of %d iterations, %d distinct timelines, %s, %d ms, report %s".formatted(test,
                    iterations, requested, timelines,
                    bug == null ? "no bug" : "BUG in iteration " + iterations + " (fray.log counts from 0): " + bug,
                    millis, report.resolve("fray.log"));
        }

        /** Throws unless every requested iteration ran and none found a bug. */
        public void check() {
            if (bug != null) {
                throw new AssertionError("Fray found a bug in " + test + " in iteration " + iterations + " of "
                        + requested + "; fray.log and the replay recording are in " + report + ": " + bug, bug);
            }
            if (iterations < requested) {
                throw new AssertionError("Fray ran only " + iterations + " of " + requested + " iterations of " + test
                        + " within its " + TIME_BUDGET_SECONDS + " s budget; ask for fewer iterations");
            }
        }
    }

    /** {@code annotated}, or the {@value #ITERATIONS_PROPERTY} system property when it is set. */
    static int iterations(int annotated) {
        String override = System.getProperty(ITERATIONS_PROPERTY, "").trim();
        int n;
        try {
            n = override.isEmpty() ? annotated : Integer.parseInt(override);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + ITERATIONS_PROPERTY + " must be a positive integer, got '"
                    + override + "'", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException("Fray iterations must be positive, got " + n);
        }
        return n;
    }

    /**
     * Runs {@code testClass.methodName()} (no arguments; a new instance per iteration unless static)
     * under Fray up to {@code iterations} times, stopping at the first iteration that finds a bug.
     * Skips the calling test when this JVM is not Fray's, unless {@value #REQUIRED_PROPERTY} is set.
     */
    public static Exploration explore(Class<?> testClass, String methodName, int iterations) {
        requireFray();
        Path report = workDir().resolve(testClass.getName()).resolve(methodName);
        // TestRunner and Fray's logger print progress to the System.out they find when created, with
        // ANSI clear-screen codes; send that to a file next to the report (Fray empties the report dir).
        Path progress = report.resolveSibling(methodName + ".progress.txt");
        PrintStream console = System.out;
        try {
            Files.createDirectories(report.getParent());
            try (PrintStream toFile = new PrintStream(Files.newOutputStream(progress), true, StandardCharsets.UTF_8)) {
                Configuration config;
                TestRunner runner;
                System.setOut(toFile);
                try {
                    config = configuration(testClass.getName(), methodName, iterations, report);
                    runner = new TestRunner(config);
                } finally {
                    System.setOut(console);
                }
                long start = System.nanoTime();
                Throwable bug = runner.run();
                long millis = (System.nanoTime() - start) / 1_000_000;
                // currentIteration counts finished bug-free iterations; the buggy one is the next.
                int ran = config.getCurrentIteration() + (bug == null ? 0 : 1);
                TimelineCoverage coverage = config.getTimelineCoverage();
                return new Exploration(testClass.getSimpleName() + "." + methodName, iterations, ran,
                        coverage == null ? 0 : coverage.getCoverage(), bug, report, millis);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Configuration configuration(String className, String methodName, int iterations, Path report) {
        List<String> classPath = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        return new Configuration(
                new ExecutionInfo(new MethodExecutor(className, methodName, List.of(), classPath, Map.of()),
                        false,  // ignoreUnhandledExceptions: an exception in any thread is a bug
                        false,  // interleaveMemoryOps: Fray's default, plain fields are not scheduling points
                        -1),    // maxScheduledStep: unbounded
                report, iterations, TIME_BUDGET_SECONDS, new POSScheduler(), new ControlledRandomProvider(),
                false,  // fullSchedule
                false,  // exploreMode: stop at the first bug
                true,   // noExitWhenBugFound: return the bug instead of exiting the JVM
                false,  // isReplay
                false,  // noFray
                false,  // dummyRun
                NetworkDelegateType.NONE, SystemTimeDelegateType.NONE,
                100_000L,  // virtualTimeDelta
                true,   // ignoreTimedBlock: a timed wait is not a deadlock
                false,  // sleepAsYield
                true,   // resetClassLoader: fresh static state per iteration
                false,  // redirectStdout
                false,  // abortThreadExecutionAfterMainExit
                false,  // resolveRacingOperationStackTraceHash (only the SURW scheduler needs it)
                TimelineCoverageType.RESOURCE_ORDERING);
    }

    /** Fray's plugin passes -Dfray.workDir=target/fray/fray-report with its agent. */
    private static Path workDir() {
        return Path.of(System.getProperty("fray.workDir", "target/fray/fray-report"));
    }

    private static void requireFray() {
        String missing = whatIsMissing();
        if (missing == null) {
            return;
        }
        String reason = "Fray is not active in this JVM (" + missing + "). Tests tagged " + TAG
                + " run in the build's surefire execution fray-test: ./build verify, or only them: ./build verify -Dkaio.fray.only";
        if (Boolean.getBoolean(REQUIRED_PROPERTY)) {
            throw new IllegalStateException(reason);
        }
        Assumptions.abort(reason);
    }

    /** Null under Fray, else what is missing: Fray's instrumented JDK and/or its agent. */
    private static String whatIsMissing() {
        Path release = Path.of(System.getProperty("java.home"), "release");
        boolean frayJdk;
        try {
            frayJdk = Files.readAllLines(release).stream().anyMatch(l -> l.contains("IMPLEMENTOR=Fray"));
        } catch (IOException e) {
            frayJdk = false;
        }
        boolean agent = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("fray-instrumentation-agent"));
        if (frayJdk && agent) {
            return null;
        }
        return (frayJdk ? "" : "java.home " + System.getProperty("java.home") + " is not Fray's instrumented JDK")
                + (frayJdk || agent ? "" : ", ") + (agent ? "" : "no -javaagent:fray-instrumentation-agent");
    }
}
