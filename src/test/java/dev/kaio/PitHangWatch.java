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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * In PIT's mutation runs only ({@code -Dkaio.pit.hangWatchMillis}, set by the {@code mutation}
 * profile): a test whose thread stays parked inside kaio's own code for that long fails at once,
 * naming the frame, instead of running into PIT's timeout.
 *
 * <p>Why: kaio's {@code close()} methods wait, without a bound, for the kernel to give back what it
 * owns (a buffer pool for its leases, a file for its requests, a context for its slots); that is
 * the contract, since freeing memory the kernel may still write into is worse than waiting. A
 * mutant that breaks the bookkeeping (a count never decremented, a lease never settled) therefore
 * hangs the test in {@code close()}, and PIT ends it only after 1.5 times the test's normal time
 * plus 5 s, then starts a new worker JVM: in the whole profile at b88c2e4, 402 of 1952 mutants
 * ended that way, about half of its 50 minutes. A thread parked (not running, not in a system call)
 * in kaio's code for the profile's 3 s is hung by any reading of kaio's tests: their waits
 * inside kaio last microseconds to milliseconds, and what they wait for from the kernel (a FIFO
 * read, a lock) blocks in a system call, where the thread is RUNNABLE and not counted.
 *
 * <p>How: the test body runs on a thread of its own (as JUnit's SEPARATE_THREAD timeout mode, the
 * default outside PIT, does) while the calling thread samples its state every 50 ms; a failing
 * sample is a thread in WAITING, TIMED_WAITING or BLOCKED with a frame of a class of
 * {@code target/classes} (the library, not the tests) on its stack, and the test fails once
 * samples have failed without a break for the limit. The abandoned thread stays parked; the worker
 * JVM carries on with its next mutant, without leak checks from then on ({@link #abandonedTest}).
 * Registered after {@link PitListingShortcut}, so that its stack check still runs on the launcher's
 * thread.
 */
public final class PitHangWatch implements InvocationInterceptor {

    static final String PROPERTY = "kaio.pit.hangWatchMillis";
    private static final long LIMIT_MILLIS = Long.getLong(PROPERTY, 0);
    private static final long SAMPLE_MILLIS = 50;

    /** Set once a hung test's thread has been left behind in this JVM. */
    private static volatile String abandoned;

    /**
     * The test whose hung thread was left behind in this JVM, or null. From then on, what the process
     * holds can no longer be attributed to a test class (that thread still holds a context, a file
     * and a pool, and may yet release them), so {@link LeakCheckExtension} stops checking: otherwise
     * a later, unrelated class would wait out the leak wait and fail or time out for it.
     */
    static String abandonedTest() {
        return abandoned;
    }

    /** Is this class name one of the library's (a .class file under kaio.test.classes)? */
    private static final Map<String, Boolean> LIBRARY = new ConcurrentHashMap<>();

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        watch(invocation, extensionContext);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        watch(invocation, extensionContext);
    }

    private static void watch(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (LIMIT_MILLIS <= 0) {
            invocation.proceed();
            return;
        }
        Throwable[] failure = new Throwable[1];
        Thread body = new Thread(() -> {
            try {
                invocation.proceed();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "pit-hang-watched " + context.getDisplayName());
        body.setDaemon(true);
        body.start();
        String hungAt = awaitOrHung(body, LIMIT_MILLIS);
        if (hungAt != null) {
            abandoned = context.getDisplayName();
            throw new AssertionError("hung: the test's thread has been parked in kaio's " + hungAt + " for "
                    + LIMIT_MILLIS + " ms (" + PROPERTY + ")");
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /**
     * Waits for {@code body} to end; returns null when it did, or the library frame it was parked in
     * for {@code limitMillis} without a break.
     */
    static String awaitOrHung(Thread body, long limitMillis) throws InterruptedException {
        long parkedSince = 0;
        while (true) {
            body.join(SAMPLE_MILLIS);
            if (!body.isAlive()) {
                return null;
            }
            String frame = parkedInLibrary(body);
            long now = System.nanoTime();
            if (frame == null) {
                parkedSince = 0;
            } else if (parkedSince == 0) {
                parkedSince = now;
            } else if (now - parkedSince >= TimeUnit.MILLISECONDS.toNanos(limitMillis)) {
                return frame;
            }
        }
    }

    /** The innermost library frame of {@code t} if it is parked or blocked, else null. */
    static String parkedInLibrary(Thread t) {
        Thread.State state = t.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING && state != Thread.State.BLOCKED) {
            return null;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (isLibraryClass(e.getClassName())) {
                return e.getClassName() + "." + e.getMethodName() + " (line " + e.getLineNumber() + ")";
            }
        }
        return null;
    }

    static boolean isLibraryClass(String className) {
        if (!className.startsWith("dev.kaio.")) {
            return false;
        }
        return LIBRARY.computeIfAbsent(className, n -> {
            String classes = System.getProperty("kaio.test.classes");
            return classes != null && Files.isRegularFile(Path.of(classes, n.replace('.', '/') + ".class"));
        });
    }
}
