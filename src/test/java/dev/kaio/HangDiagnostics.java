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

import dev.kaio.testing.ThreadDumps;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Every test and lifecycle method has a timeout (junit.jupiter.execution.timeout.default in
 * junit-platform.properties; run in a separate thread, so a test stuck in a native call or an
 * uninterruptible wait still ends). When one times out, this extension (registered for all classes
 * through META-INF/services) attaches a dump of every thread to the failure and prints it, so that a
 * hang is a failure with a reason: the stuck test thread is still alive and in the dump, with the
 * reaper and whatever it waits for.
 */
public final class HangDiagnostics implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /** The dump, carried as a suppressed exception of the timeout (its message is the dump). */
    static final class ThreadDumpAtTimeout extends RuntimeException {
        ThreadDumpAtTimeout(String dump) {
            super(dump, null, false, false);
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withDump(t);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withDump(t);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withDump(t);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withDump(t);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withDump(t);
    }

    /** JUnit's own timeout failure: "<method> timed out after <duration>". */
    static boolean isJUnitTimeout(Throwable t) {
        return t instanceof TimeoutException && t.getMessage() != null && t.getMessage().contains(" timed out after ");
    }

    static Throwable withDump(Throwable t) {
        if (isJUnitTimeout(t)) {
            String dump = ThreadDumps.dump(t.getMessage());
            System.err.println(dump);
            t.addSuppressed(new ThreadDumpAtTimeout(dump));
        }
        return t;
    }
}
