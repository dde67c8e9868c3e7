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

import dev.kaio.internal.sys.NativeResources;
import dev.kaio.testing.ProcessResources;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Around every JUnit Jupiter test class (registered for all classes through META-INF/services; the
 * jqwik property classes get the same check from {@link LeakCheckJqwikHook}): afterwards, what the
 * kernel lists for this process must be back where it was (open descriptors in /proc/self/fd, AIO
 * rings in /proc/self/maps), and so must kaio's own counts of kernel contexts, native arenas and file
 * descriptors. The shared context of {@link KaioFileChannel} is closed first, since it deliberately
 * outlives the channels.
 *
 * <p>Not compared: descriptors of jar files (the JVM opens a jar when it first loads a class from
 * it, and keeps it open) and of /dev/random and /dev/urandom (opened by the JDK's NativePRNG the first
 * time anything, e.g. Files.createTempDirectory, needs a SecureRandom, and kept), and the system-wide {@code fs.aio-nr}, which every process on the machine
 * moves (this process's rings are counted exactly instead).
 *
 * <p>Not asserted after a failed test: the class has failed already, a test that failed half-way may
 * not have cleaned up (an aborted request, a lease never closed), and waiting up to
 * {@code kaio.test.leakWaitMillis} for a teardown that will not come only delays the report (under
 * PIT it turned quick kills into timeouts: a mutant that failed a test and left a buffer leased cost
 * the 5-second wait, then a new worker JVM). What differs is printed once, without waiting. Nor is
 * anything checked in a JVM where {@link PitHangWatch} has left a hung test's thread behind (PIT's
 * mutation runs only).
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterTestExecutionCallback, AfterAllCallback {

    /** What this process holds outside the heap at one moment. */
    record Snapshot(int aioRings, long aioRingBytes, Map<String, Integer> openFds, int contexts, int arenas,
            int descriptors) {
        static Snapshot now() {
            Map<String, Integer> fds = new TreeMap<>(ProcessResources.descriptors());
            fds.keySet().removeIf(LeakCheckExtension::ignoredDescriptor);
            return new Snapshot(ProcessResources.aioRings().size(), ProcessResources.aioRingBytes(), fds,
                    NativeResources.contexts(), NativeResources.arenas(), NativeResources.descriptors());
        }
    }

    static boolean ignoredDescriptor(String target) {
        return target.endsWith(".jar") || target.equals("/dev/random") || target.equals("/dev/urandom");
    }

    /**
     * Descriptors of these kinds (as {@link ProcessResources#descriptors()} names them, e.g. "socket")
     * that a test class may leave open, for the reason given: what a library it uses keeps for the
     * JVM's lifetime, not something kaio or the test forgot.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Keeps {
        String[] value();

        String reason();
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", Snapshot.now());
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            classOf(context).getStore(NS).put("failed", context.getDisplayName());
        }
    }

    /** The class-level context of a test (a parameterized or repeated test's invocation sits below its template). */
    private static ExtensionContext classOf(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Snapshot before = context.getStore(NS).get("before", Snapshot.class);
        Keeps keeps = context.getRequiredTestClass().getAnnotation(Keeps.class);
        check(context.getDisplayName(), before, keeps == null ? List.of() : List.of(keeps.value()),
                context.getStore(NS).get("failed", String.class));
    }

    /**
     * Fails with what {@code name} leaked since {@code before}, apart from descriptors of the {@code kept}
     * kinds; if its test {@code failedTest} failed (null: none did), only prints what differs now.
     */
    static void check(String name, Snapshot before, List<String> kept, String failedTest) throws Exception {
        KaioFileChannel.closeDefaultContext();
        String abandoned = PitHangWatch.abandonedTest();
        if (abandoned != null) {
            System.err.println(name + ": not leak-checked: the thread of the hung test " + abandoned
                    + " was left behind in this JVM (PitHangWatch)");
            return;
        }
        if (failedTest != null) {
            List<String> leaks = compare(before, 0, kept);
            if (!leaks.isEmpty()) {
                System.err.println(name + ": not leak-checked after the failure of " + failedTest
                        + "; differs now: " + String.join("; ", leaks));
            }
            return;
        }
        List<String> leaks = compare(before, Long.getLong("kaio.test.leakWaitMillis", 5_000), kept);
        if (!leaks.isEmpty()) {
            throw new AssertionError(name + " leaked: " + String.join("; ", leaks));
        }
    }

    /** Differences from {@code before}, waiting up to {@code waitMillis} for teardown to finish. */
    static List<String> compare(Snapshot before, long waitMillis) throws InterruptedException {
        return compare(before, waitMillis, List.of());
    }

    static List<String> compare(Snapshot before, long waitMillis, List<String> kept) throws InterruptedException {
        long deadline = System.currentTimeMillis() + waitMillis;
        while (true) {
            Snapshot after = Snapshot.now();
            for (String kind : kept) {
                after.openFds().put(kind, before.openFds().getOrDefault(kind, 0));
            }
            List<String> leaks = new ArrayList<>();
            if (after.aioRings() != before.aioRings()) {
                leaks.add("AIO rings in /proc/self/maps " + before.aioRings() + " -> " + after.aioRings() + " ("
                        + before.aioRingBytes() + " -> " + after.aioRingBytes() + " bytes)");
            }
            String fds = fdDifference(before.openFds(), after.openFds());
            if (!fds.isEmpty()) {
                leaks.add("open descriptors in /proc/self/fd: " + fds);
            }
            if (after.contexts() != before.contexts()) {
                leaks.add("kernel AIO contexts " + before.contexts() + " -> " + after.contexts());
            }
            if (after.arenas() != before.arenas()) {
                leaks.add("native arenas " + before.arenas() + " -> " + after.arenas() + " ("
                        + NativeResources.arenaBytes() + " bytes held)");
            }
            if (after.descriptors() != before.descriptors()) {
                leaks.add("file descriptors " + before.descriptors() + " -> " + after.descriptors());
            }
            if (leaks.isEmpty() || System.currentTimeMillis() > deadline) {
                return leaks;
            }
            Thread.sleep(20);
        }
    }

    /** "pipe 2 -> 4, anon_inode:[eventfd] 0 -> 1" for every target whose count changed. */
    static String fdDifference(Map<String, Integer> before, Map<String, Integer> after) {
        Map<String, Integer> all = new TreeMap<>(before);
        after.forEach((k, v) -> all.putIfAbsent(k, 0));
        List<String> out = new ArrayList<>();
        for (String k : all.keySet()) {
            int b = before.getOrDefault(k, 0);
            int a = after.getOrDefault(k, 0);
            if (a != b) {
                out.add(k + " " + b + " -> " + a);
            }
        }
        return String.join(", ", out);
    }
}
