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

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing and printing sizes, durations and rates the way fio does (k = 1024 for sizes). */
final class Units {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgtp]?)(i?b?)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

    private Units() {}

    /** "4k", "4KiB", "1m", "1g", "512" (bytes). Binary multiples, as fio's defaults. */
    static long parseSize(String option, String text) throws UsageException {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new UsageException("invalid size for " + option + ": '" + text + "' (examples: 512, 4k, 64KiB, 1m, 2g)");
        }
        long value;
        try {
            value = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new UsageException("size too large for " + option + ": '" + text + "'");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 0;
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 50;
        };
        if (value > (Long.MAX_VALUE >> shift)) {
            throw new UsageException("size too large for " + option + ": '" + text + "'");
        }
        return value << shift;
    }

    /** "10s", "500ms", "2m", "1h", "10" (seconds). Returns nanoseconds. */
    static long parseDuration(String option, String text) throws UsageException {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new UsageException("invalid duration for " + option + ": '" + text + "' (examples: 10s, 500ms, 2m)");
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        double nanos = switch (unit) {
            case "us" -> v * 1e3;
            case "ms" -> v * 1e6;
            case "s" -> v * 1e9;
            case "m" -> v * 60e9;
            default -> v * 3600e9;
        };
        if (nanos > Long.MAX_VALUE / 2) {
            throw new UsageException("duration too long for " + option + ": '" + text + "'");
        }
        return (long) nanos;
    }

    static int parseInt(String option, String text, int min, int max) throws UsageException {
        try {
            int v = Integer.parseInt(text.trim());
            if (v < min || v > max) {
                throw new UsageException(option + " must be in [" + min + ", " + max + "]: " + text);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("invalid number for " + option + ": '" + text + "'");
        }
    }

    /** 4096 -> "4KiB", 1048576 -> "1MiB", 1500 -> "1500B". */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        double v = n;
        while (u < units.length - 1 && v >= 1024) {
            v /= 1024;
            u++;
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%d%s", (long) v, units[u])
                : String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }

    /** 123456 -> "123k", 1234567 -> "1235k" like fio's IOPS=. */
    static String count(double n) {
        if (n >= 10_000_000) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        if (n >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", n / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", n);
    }

    /** Bytes per second as MiB/s with one decimal. */
    static String rate(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1fMiB/s", bytesPerSecond / (1 << 20));
    }
}
