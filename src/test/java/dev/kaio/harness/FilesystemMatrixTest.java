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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs inside the Docker harness's container (DockerHarnessIT), once per mounted filesystem
 * ({@code -Dkaio.matrix.mounts=ext4=/mnt/ext4}): every matrix operation, buffered and O_DIRECT, each
 * verified byte for byte. The outcome ("works" or the errno the kernel answered) is recorded for the
 * README's matrix and must be the one {@link MatrixExpectations} derives from the kernel's documented
 * behaviour: a regression fails the harness, and so does wrong data or an untyped error.
 */
@Tag("in-container")
class FilesystemMatrixTest {

    static Stream<Arguments> cases() {
        String mounts = System.getProperty("kaio.matrix.mounts");
        assertNotNull(mounts, "run by DockerHarnessIT with -Dkaio.matrix.mounts=fs=/mount/point");
        List<Arguments> out = new ArrayList<>();
        for (String m : mounts.split(";")) {
            String[] kv = m.split("=");
            for (String mode : List.of("buffered", "O_DIRECT")) {
                for (String op : MatrixCase.OPS) {
                    out.add(Arguments.of(kv[0], mode, op, Path.of(kv[1])));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void operation(String fs, String mode, String op, Path mount) throws Exception {
        // wrong data or an untyped error fails inside run(); an errno is recorded, then compared
        String outcome = MatrixCase.openRunAndRecord(fs, mode, op, mount.resolve("matrix"));
        String kernel = MatrixExpectations.runningKernel();
        assertEquals(MatrixExpectations.expected(fs, mode, op, kernel), outcome,
                fs + " " + mode + " " + op + " on Linux " + kernel + " (see MatrixExpectations)");
    }
}
