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
package dev.kaio.tools;

import dev.kaio.DirectIoAlignment;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** What a {@code kaio bench} run measured. Mutable while the run fills it in. */
final class BenchResult {

    /** The longest latency a histogram tells apart; longer ones are recorded as this. */
    static final long MAX_LATENCY_NANOS = TimeUnit.HOURS.toNanos(1);

    /**
     * Counters and latencies of one direction (reads or writes). The histograms keep 3 significant
     * digits from 1 ns to an hour, preallocated: recording a value does not allocate.
     */
    static final class Direction {
        long ios;
        long bytes;
        final Histogram clat = new Histogram(MAX_LATENCY_NANOS, 3);  // io_submit -> completion reaped
        final Histogram lat = new Histogram(MAX_LATENCY_NANOS, 3);   // prepared -> completion reaped

        /** Records one request's latencies (clamped to the histograms' range). */
        void record(long clatNanos, long latNanos) {
            clat.recordValue(Math.clamp(clatNanos, 0, MAX_LATENCY_NANOS));
            lat.recordValue(Math.clamp(latNanos, 0, MAX_LATENCY_NANOS));
        }
    }

    final BenchOptions options;
    final String target;
    final boolean temporary;
    final boolean verifying;
    final DirectIoAlignment alignment;
    final Direction read = new Direction();
    final Direction write = new Direction();
    long submitted;
    long completed;
    long verified;
    long verifyFailures;
    long errors;
    String firstError;
    long ioSubmitCalls;
    long ioGeteventsCalls;
    long elapsedNanos;

    BenchResult(BenchOptions options, String target, boolean temporary, boolean verifying, DirectIoAlignment alignment) {
        this.options = options;
        this.target = target;
        this.temporary = temporary;
        this.verifying = verifying;
        this.alignment = alignment;
    }

    /** Forgets what the ramp measured (counts of requests and errors are kept). */
    void resetMeasurements() {
        for (Direction d : new Direction[] {read, write}) {
            d.ios = 0;
            d.bytes = 0;
            d.clat.reset();
            d.lat.reset();
        }
    }

    double seconds() {
        return elapsedNanos / 1e9;
    }

    double iops(Direction d) {
        return d.ios / seconds();
    }

    double bandwidth(Direction d) {
        return d.bytes / seconds();
    }
}
