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

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread that retries every pending {@link KaioFileChannel#lock} of the JVM: each retry is a
 * non-blocking F_OFD_SETLK, so this thread never waits in the kernel, and close() can fail a pending
 * lock at once instead of waiting for a thread stuck in F_OFD_SETLKW (which no signal that Java can
 * send would wake).
 *
 * <p>The back-off per request doubles from {@link #FIRST_BACKOFF_MILLIS} to
 * {@link #MAX_BACKOFF_MILLIS}: a lock released by its holder is taken at most that long afterwards,
 * and a request waiting for a long time costs one system call per {@value #MAX_BACKOFF_MILLIS} ms.
 * The thread starts with the first pending lock and ends {@value #IDLE_SECONDS} s after the last.
 */
final class LockRetries {

    /** Delay before the first retry. */
    static final long FIRST_BACKOFF_MILLIS = 1;
    /** Upper bound of the delay between two attempts of one request. */
    static final long MAX_BACKOFF_MILLIS = 50;
    private static final int IDLE_SECONDS = 10;

    private static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();

    private LockRetries() {}

    private static ScheduledThreadPoolExecutor scheduler() {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "kaio-lock-retry-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, factory);
        s.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
        s.allowCoreThreadTimeOut(true);
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    /** The delay before attempt number {@code attempt} (1 for the first retry). */
    static long backoffMillis(int attempt) {
        return attempt >= 7 ? MAX_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << (attempt - 1));
    }

    /** Runs {@code retry} after {@code delayMillis}; cancelling the returned future withdraws it. */
    static ScheduledFuture<?> schedule(Runnable retry, long delayMillis) {
        return SCHEDULER.schedule(retry, delayMillis, TimeUnit.MILLISECONDS);
    }
}
