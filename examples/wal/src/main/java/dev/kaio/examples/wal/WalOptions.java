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
package dev.kaio.examples.wal;

import java.util.Objects;

/**
 * How a log is laid out and committed.
 *
 * @param mode           how batches are made durable (kaio PWRITEV + FDSYNC, kaio RWF_DSYNC, or the
 *                       FileChannel baseline)
 * @param capacity       the log file's size, preallocated and zero-filled when the log is created
 *                       (rounded up to the file's alignment)
 * @param ringBytes      the in-memory buffer between appenders and the committer: appended records
 *                       wait there until their batch is written; appenders wait when it is full
 * @param writesInFlight kaio modes: how many batch writes may be in flight at once (1 = no pipelining)
 * @param maxPayload     the largest record payload accepted
 */
public record WalOptions(CommitMode mode, long capacity, int ringBytes, int writesInFlight, int maxPayload) {

    /** The defaults: {@link CommitMode#PWRITEV_FDSYNC}, 64 MiB, a 4 MiB ring, 4 writes in flight, 64 KiB records. */
    public static WalOptions defaults() {
        return new WalOptions(CommitMode.PWRITEV_FDSYNC, 64L << 20, 4 << 20, 4, 64 << 10);
    }

    /** Checks the values. */
    public WalOptions {
        Objects.requireNonNull(mode, "mode");
        if (ringBytes < 64 << 10 || Integer.bitCount(ringBytes) != 1) {
            throw new IllegalArgumentException("ringBytes must be a power of two of at least 64 KiB: " + ringBytes);
        }
        if (maxPayload < 1 || LogFormat.recordSize(maxPayload) > ringBytes / 2) {
            throw new IllegalArgumentException("maxPayload must be 1 .. half the ring: " + maxPayload);
        }
        if (writesInFlight < 1 || writesInFlight > 64) {
            throw new IllegalArgumentException("writesInFlight must be 1 .. 64: " + writesInFlight);
        }
        if (capacity < 1 << 20) {
            throw new IllegalArgumentException("capacity must be at least 1 MiB: " + capacity);
        }
    }

    /** These options with another commit mode. */
    public WalOptions withMode(CommitMode mode) {
        return new WalOptions(mode, capacity, ringBytes, writesInFlight, maxPayload);
    }

    /** These options with another capacity. */
    public WalOptions withCapacity(long capacity) {
        return new WalOptions(mode, capacity, ringBytes, writesInFlight, maxPayload);
    }

    /** These options with another number of writes in flight. */
    public WalOptions withWritesInFlight(int writesInFlight) {
        return new WalOptions(mode, capacity, ringBytes, writesInFlight, maxPayload);
    }
}
