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
import java.nio.file.StandardOpenOption;

/** Appends one measured cell of the support matrix: filesystem, mode, operation, outcome. */
final class MatrixRecorder {

    private MatrixRecorder() {}

    static synchronized void record(String fs, String mode, String op, String outcome, String note) {
        String file = System.getProperty("kaio.matrix.report");
        if (file == null) {
            return;
        }
        try {
            Path p = Path.of(file);
            Files.createDirectories(p.getParent());
            Files.writeString(p, String.join("\t", fs, mode, op, outcome, note) + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot record the matrix in " + file, e);
        }
    }
}
