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
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

/**
 * Minimal JUnit Platform runner for the NFS guest, for when junit-platform-console-standalone is
 * not at hand: needs only junit-platform-launcher (+ engine, commons, the Jupiter engine and
 * their dependencies) on the class path.
 *
 * <pre>
 *   java -cp '/share/cp/*:/share/classes' JUnitMain --class dev.kaio.NfsTest [--package p] [--method c#m]
 * </pre>
 * Exit code 0 when at least one test ran and none failed, 1 otherwise.
 */
public final class JUnitMain {
    public static void main(String[] args) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--class" -> selectors.add(selectClass(args[i + 1]));
                case "--package" -> selectors.add(selectPackage(args[i + 1]));
                case "--method" -> selectors.add(selectMethod(args[i + 1]));
                default -> usage();
            }
        }
        if (selectors.isEmpty() || args.length % 2 != 0) {
            usage();
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    System.out.println("[" + result.getStatus() + "] " + id.getUniqueId()
                            + result.getThrowable().map(t -> " : " + t).orElse(""));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("[SKIPPED] " + id.getUniqueId() + " : " + reason);
            }
        };
        LauncherFactory.create().execute(request, summary, progress);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printTo(out);
        s.printFailuresTo(out, 50);
        System.exit(s.getTestsFoundCount() > 0 && s.getTotalFailureCount() == 0 ? 0 : 1);
    }

    private static void usage() {
        System.err.println("usage: JUnitMain (--class C | --package P | --method C#m)...");
        System.exit(2);
    }
}
