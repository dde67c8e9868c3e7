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
package dev.kaio.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's section on {@link WalBench}: the write-ahead log of examples/wal on kaio (PWRITEV +
 * FDSYNC, RWF_DSYNC) against the same log on FileChannel, durable records per second with 8 writers,
 * and issue 13's target (kaio >= 1.2x FileChannel). Each JMH run (one file, all modes one after the
 * other) is a round; the ratio is of the means over the rounds, and each round's own ratio shows the
 * spread.
 */
final class WalSection {

    static final String BASELINE = "FILE_CHANNEL";
    static final List<String> KAIO = List.of("PWRITEV_FDSYNC", "RWF_DSYNC");
    static final Map<String, String> NAMES = Map.of("PWRITEV_FDSYNC", "kaio PWRITEV + FDSYNC (pipelined)",
            "RWF_DSYNC", "kaio PWRITEV with RWF_DSYNC", "FILE_CHANNEL", "FileChannel.write + force(false)");
    static final double NEEDED = 1.2;

    /** "target|threads" -> JMH file (a round) -> mode -> durable records/s. */
    private final Map<String, Map<String, Map<String, Double>>> rounds = new TreeMap<>();

    void add(String target, String file, String mode, int threads, double score) {
        rounds.computeIfAbsent(target + "|" + threads, k -> new TreeMap<>()).computeIfAbsent(file, k -> new TreeMap<>())
                .put(mode, score);
    }

    private static double mean(Map<String, Map<String, Double>> runs, String mode) {
        return runs.values().stream().map(r -> r.get(mode)).filter(v -> v != null).mapToDouble(Double::doubleValue)
                .average().orElse(Double.NaN);
    }

    String markdown() {
        if (rounds.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("## Write-ahead log (examples/wal): durable records per second\n\n");
        b.append("8 threads append records of 64 B-4 KiB (CRC32C header) and each waits until its record is durable; "
                + "one committer batches what is pending into one aligned write (group commit) on a preallocated, "
                + "zero-filled log file on the disk. Same log, format and batching in every mode; only the "
                + "committer's I/O differs (`WalBench`). Ratios are of the means over the rounds.\n\n");
        b.append("| target, writers | commit | records/s | / FileChannel | each round / FileChannel |\n"
                + "|---|---|---|---|---|\n");
        List<String[]> verdicts = new ArrayList<>();
        for (Map.Entry<String, Map<String, Map<String, Double>>> e : rounds.entrySet()) {
            String[] k = e.getKey().split("\\|");
            Map<String, Map<String, Double>> runs = e.getValue();
            double base = mean(runs, BASELINE);
            for (String mode : List.of(BASELINE, KAIO.get(0), KAIO.get(1))) {
                double v = mean(runs, mode);
                if (Double.isNaN(v)) {
                    continue;
                }
                StringBuilder each = new StringBuilder();
                for (Map<String, Double> run : runs.values()) {
                    if (run.get(mode) != null && run.get(BASELINE) != null) {
                        each.append(each.isEmpty() ? "" : ", ")
                                .append(String.format(Locale.ROOT, "%.2f", run.get(mode) / run.get(BASELINE)));
                    }
                }
                b.append(String.format(Locale.ROOT, "| %s, %s | %s | %s | %s | %s |%n", k[0], k[1], NAMES.get(mode),
                        Report.fmt(v), Double.isNaN(base) ? "-" : String.format(Locale.ROOT, "%.2f", v / base),
                        each.isEmpty() ? "-" : each));
                if (KAIO.contains(mode) && !Double.isNaN(base)) {
                    verdicts.add(new String[] {k[0] + ", " + k[1] + " writers: " + NAMES.get(mode) + " / FileChannel",
                            String.format(Locale.ROOT, "%.2f", v / base), v / base >= NEEDED ? "met"
                                    : String.format(Locale.ROOT, "missed by %.0f%%", (NEEDED - v / base) / NEEDED * 100)});
                }
            }
        }
        b.append("\n| target (issue 13) | measured | needed | verdict |\n|---|---|---|---|\n");
        for (String[] v : verdicts) {
            b.append("| ").append(v[0]).append(" | ").append(v[1]).append(" | >= ")
                    .append(String.format(Locale.ROOT, "%.2f", NEEDED)).append(" | ").append(v[2]).append(" |\n");
        }
        return b.append('\n').toString();
    }
}
