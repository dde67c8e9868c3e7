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

import java.util.Arrays;

/**
 * A log-linear histogram of latencies in nanoseconds, in the manner of HdrHistogram: each power of
 * two is split into 64 buckets, so a recorded value is known to within 1/64 (1.6 %) and a percentile
 * is reported as the highest value of its bucket. Preallocated; {@link #record(long)} does not
 * allocate. Exact min, max, mean and standard deviation are kept alongside.
 */
final class LatencyHistogram {

    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;           // 64
    private static final int BUCKETS = (64 - SUB_BITS) * SUB + 2 * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long min = Long.MAX_VALUE;
    private long max;
    private double sum;
    private double sumSquares;

    static int index(long value) {
        if (value < 2 * SUB) {
            return (int) value;                                 // exact below 128
        }
        int exp = 63 - Long.numberOfLeadingZeros(value);         // >= 7
        int shift = exp - SUB_BITS;                              // keep the top 7 bits: 64..127
        return shift * SUB + (int) (value >>> shift);
    }

    /** The highest value that falls in bucket {@code index}. */
    static long highest(int index) {
        if (index < 2 * SUB) {
            return index;
        }
        int shift = index / SUB - 1;
        long sub = index - (long) shift * SUB;                   // 64..127
        return ((sub + 1) << shift) - 1;
    }

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
        sum += v;
        sumSquares += (double) v * v;
    }

    long count() {
        return total;
    }

    long min() {
        return total == 0 ? 0 : min;
    }

    long max() {
        return max;
    }

    double mean() {
        return total == 0 ? 0 : sum / total;
    }

    double stddev() {
        if (total < 2) {
            return 0;
        }
        double mean = mean();
        return Math.sqrt(Math.max(0, sumSquares / total - mean * mean));
    }

    /** The value at {@code percentile} (0-100]: the smallest bucket bound covering that share. */
    long percentile(double percentile) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(percentile / 100.0 * total);
        rank = Math.max(1, Math.min(total, rank));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(highest(i), max);
            }
        }
        return max;
    }

    void reset() {
        Arrays.fill(counts, 0);
        total = 0;
        min = Long.MAX_VALUE;
        max = 0;
        sum = 0;
        sumSquares = 0;
    }
}
