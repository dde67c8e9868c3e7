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
package dev.kaio.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the matrix-*.tsv files that {@link MatrixRecorder} wrote (in a container or a guest) and renders
 * the support matrix as a markdown table: a row per filesystem and mode, a column per operation.
 * Lines whose operation is "-" are notes, listed under the table.
 */
final class MatrixTable {

    private final Map<String, Map<String, String>> rows = new LinkedHashMap<>();
    private final Map<String, String> alignment = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    void read(Path tsv) throws IOException {
        if (!Files.exists(tsv)) {
            return;
        }
        for (String line : Files.readAllLines(tsv)) {
            String[] f = line.split("\t", -1);
            if (f[2].equals("-")) {
                notes.add("- " + f[0] + " (" + f[1] + "): " + f[3]);
                continue;
            }
            String row = f[0] + "|" + f[1];
            rows.computeIfAbsent(row, k -> new LinkedHashMap<>()).put(f[2], f[3]);
            if (f.length > 4 && !f[4].isEmpty()) {
                alignment.put(row, f[4]);
            }
        }
    }

    String markdown(String firstColumn) {
        StringBuilder b = new StringBuilder();
        b.append("| ").append(firstColumn).append(" | mode |");
        for (String op : MatrixCase.OPS) {
            b.append(' ').append(op).append(" |");
        }
        b.append(" O_DIRECT alignment |\n|---|---|").append("---|".repeat(MatrixCase.OPS.size() + 1)).append('\n');
        for (Map.Entry<String, Map<String, String>> row : rows.entrySet()) {
            String[] k = row.getKey().split("\\|");
            b.append("| ").append(k[0]).append(" | ").append(k[1]).append(" |");
            for (String op : MatrixCase.OPS) {
                String v = row.getValue().getOrDefault(op, "-");
                b.append(' ').append(v.equals("works") ? "works" : "**" + v + "**").append(" |");
            }
            b.append(' ').append(alignment.getOrDefault(row.getKey(), "").replace("alignment ", "")).append(" |\n");
        }
        if (!notes.isEmpty()) {
            b.append('\n').append(String.join("\n", notes)).append('\n');
        }
        return b.toString();
    }
}
