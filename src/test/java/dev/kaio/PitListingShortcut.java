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

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Makes PIT's mutation runs (the {@code mutation} profile) start their worker JVMs in seconds
 * instead of in the time it takes to run every test that covers the class being mutated.
 *
 * <p>Each PIT worker JVM ("minion") first lists the tests it may need, and pitest-junit5-plugin
 * 1.2.3 lists a class's tests by <em>executing</em> the class with a listener that records each
 * test as it starts ({@code JUnit5TestUnitFinder.findTestUnits} calls {@code Launcher.execute}).
 * Nothing uses the outcome of that pass: the mutants are tested afterwards, one selected test at a
 * time. PIT starts a new worker for each class it mutates and again after every mutant that hangs a
 * test (the worker is killed at the timeout), so with kaio's real-I/O tests that listing pass was
 * most of the run: 11 s of the 16 s each hanging mutant cost in {@code PendingLock}.
 *
 * <p>With {@code -Dkaio.pit.listingShortcut=true} (set only by the profile), a test or test-template
 * method invoked <em>from that listing pass</em> (a {@code MutationTestMinion.findTestsForTestClasses}
 * frame on the stack) returns without running its body; JUnit still reports it as started, which is
 * all the listing records. Lifecycle methods still run, so what they open they also close. PIT's
 * coverage pass (another class, {@code CoverageMinion}) and every test run against a mutant are
 * untouched: the stack check fails there and the test runs. The check needs the test to run on the
 * thread that called the launcher, so the profile also sets JUnit's timeout thread mode to
 * SAME_THREAD (PIT's own per-test timeout, far shorter than JUnit's 5 minutes, ends hangs there).
 */
public final class PitListingShortcut implements InvocationInterceptor {

    static final String PROPERTY = "kaio.pit.listingShortcut";

    private static final boolean ENABLED = Boolean.getBoolean(PROPERTY);

    private static final String MINION = "org.pitest.mutationtest.execute.MutationTestMinion";
    private static final String LISTING_METHOD = "findTestsForTestClasses";

    /** True if this thread is inside PIT's test-listing pass of a mutation worker. */
    static boolean inPitListingPass() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(MINION) && f.getMethodName().equals(LISTING_METHOD)));
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        proceedUnlessListing(invocation);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedUnlessListing(invocation);
    }

    private static void proceedUnlessListing(Invocation<Void> invocation) throws Throwable {
        if (ENABLED && inPitListingPass()) {
            invocation.skip();
        } else {
            invocation.proceed();
        }
    }
}
