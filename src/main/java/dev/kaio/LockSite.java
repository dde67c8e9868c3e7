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

import java.nio.channels.FileLock;
import java.util.concurrent.ScheduledFuture;

/**
 * What a {@link PendingLock} needs from its channel and the kernel: the descriptor's pin, the two
 * fcntl calls, the overlap table, the retry scheduler. {@link KaioFileChannel} provides the real
 * ones; kept apart so that a test can drive the lock protocol against a fake kernel under a
 * controlled-concurrency tool ({@code PendingLockFrayTest}).
 */
interface LockSite {

    /**
     * Pins the descriptor for one fcntl call (AioFile.beginRequest): false once the channel is
     * closing, and then no call may be made.
     */
    boolean pin();

    /** Ends a {@link #pin()} that returned true. */
    void unpin();

    /** F_OFD_SETLK of {@code range} (a read lock if {@code shared}) on the pinned descriptor: 0 or -errno. */
    int tryLock(FileLocks.Range range, boolean shared);

    /** F_UNLCK of {@code range} on the pinned descriptor: 0 or -errno. */
    int unlock(FileLocks.Range range);

    /** The lock a granted request hands out; it owns {@code range} from then on. */
    FileLock granted(FileLocks.Range range, boolean shared);

    /** A request is over without a lock: its range leaves the overlap table, and the channel forgets it. */
    void withdraw(PendingLock request, FileLocks.Range range);

    /** A request is over with its lock granted: the channel forgets it (the lock keeps the range). */
    void forget(PendingLock request);

    /** Runs {@code attempt} after {@code delayMillis}; cancelling the returned future withdraws it. */
    ScheduledFuture<?> retryLater(Runnable attempt, long delayMillis);

    /** Closes the channel (a forceful cancel), reporting nothing. */
    void closeQuietly();

    /** The file, for error messages. */
    String path();
}
