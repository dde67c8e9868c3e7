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

import org.junit.jupiter.api.Test;

/** The matrix's expectations follow the kernel version where the kernel's behaviour changed. */
class MatrixExpectationsTest {

    @Test
    void expectationsFollowTheKernelRelease() {
        assertEquals("works", MatrixExpectations.expected("ext4", "O_DIRECT", "readv x1024", "6.18.44-fc-v669"));
        assertEquals("works", MatrixExpectations.expected("tmpfs", "O_DIRECT", "read", "6.6.0"));
        assertEquals("open: EINVAL", MatrixExpectations.expected("tmpfs", "O_DIRECT", "read", "6.1.0-56-amd64"));
        assertEquals("works", MatrixExpectations.expected("tmpfs", "buffered", "read", "6.1.0-56-amd64"));
        assertEquals("EINVAL", MatrixExpectations.expected("xfs", "buffered", "fdatasync", "4.17.19"));
        assertEquals("works", MatrixExpectations.expected("xfs", "buffered", "fdatasync", "4.18.0"));
        assertEquals("works", MatrixExpectations.expected("nfs v4.2", "O_DIRECT", "fsync", "6.1.0-56-amd64"));
    }
}
