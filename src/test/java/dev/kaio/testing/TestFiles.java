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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/** Test files on a real (disk-backed) filesystem, and byte-exact comparisons through FileChannel. */
public final class TestFiles {

    private TestFiles() {}

    /**
     * A fresh directory under target/test-work (system property kaio.test.workdir), which is on the
     * disk the project is checked out on; tests that need a real filesystem assert it is not tmpfs.
     */
    public static Path newDirectory(String name) throws IOException {
        Path base = Path.of(System.getProperty("kaio.test.workdir", "target/test-work")).toAbsolutePath();
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name);
    }

    /** The filesystem type of {@code path} as /proc/self/mounts names it (ext4, xfs, tmpfs, ...). */
    public static String filesystemType(Path path) throws IOException {
        return Files.getFileStore(path).type();
    }

    public static void assertNotTmpfs(Path dir) throws IOException {
        assertNotEquals("tmpfs", filesystemType(dir), dir + " must be on a disk-backed filesystem");
    }

    /** Random bytes from a seeded generator, so a failure can be reproduced. */
    public static byte[] randomBytes(long seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Reads {@code length} bytes at {@code position} through FileChannel (the independent read path). */
    public static byte[] readWithFileChannel(Path file, long position, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining()) {
                int n = ch.read(buf, position + buf.position());
                if (n < 0) {
                    break;
                }
            }
            byte[] out = new byte[buf.position()];
            buf.flip().get(out);
            return out;
        }
    }

    /** Writes bytes at a position through FileChannel and forces them. */
    public static void writeWithFileChannel(Path file, long position, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf, position + buf.position());
            }
            ch.force(true);
        }
    }

    public static byte[] toBytes(MemorySegment segment) {
        return segment.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    public static void assertBytesEqual(byte[] expected, byte[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                assertEquals(expected[i], actual[i], what + ": first difference at byte " + i);
            }
        }
    }
}
