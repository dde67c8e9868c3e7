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
package dev.kaio.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends the reliability tests' figures to target/reliability-summary.txt (quoted in the README). */
public final class ReliabilityLog {

    private static boolean started;

    private ReliabilityLog() {}

    public static synchronized void record(String line) {
        System.out.println(line);
        Path file = Path.of(System.getProperty("kaio.test.workdir", "target/test-work")).resolveSibling(
                "reliability-summary.txt");
        try {
            if (!started) {
                started = true; // a new test run starts a new summary
                Files.deleteIfExists(file);
            }
            Files.writeString(file, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("could not record: " + e);
        }
    }
}
