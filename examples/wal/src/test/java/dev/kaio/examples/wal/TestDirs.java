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

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test directories on the project's disk (target/test-work), never tmpfs. */
final class TestDirs {

    private TestDirs() {}

    static Path newDirectory(String name) throws IOException {
        Path base = Path.of(System.getProperty("wal.test.dir", "target/test-work")).toAbsolutePath();
        Files.createDirectories(base);
        Path dir = Files.createTempDirectory(base, name);
        assertNotEquals("tmpfs", Files.getFileStore(dir).type(), dir + " must be on a disk-backed filesystem");
        return dir;
    }
}
