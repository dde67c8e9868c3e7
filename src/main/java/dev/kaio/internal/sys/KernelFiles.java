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
package dev.kaio.internal.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small files the kernel serves: sysctls under /proc/sys and block-queue attributes under /sys. */
public final class KernelFiles {

    private KernelFiles() {}

    /**
     * The trimmed ASCII text of a small /proc or /sys file. Not {@code Files.readString}: it reads a
     * size-0 file one byte first, and a sysctl answers EOF to any read that does not start at offset 0,
     * so only the first character would be seen.
     */
    public static String read(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readNBytes(256), StandardCharsets.US_ASCII).trim();
        }
    }

    /**
     * An integer attribute of the request queue of block device {@code major:minor} (e.g.
     * {@code logical_block_size}), or -1 if sysfs does not give it. A partition has no queue/ of its
     * own: its parent (the whole disk) does.
     */
    public static int blockQueueInt(int major, int minor, String name) {
        Path dev = Path.of("/sys/dev/block/" + major + ":" + minor);
        for (Path p : new Path[] {dev.resolve("queue").resolve(name), dev.resolve("../queue").resolve(name)}) {
            try {
                if (Files.isReadable(p)) {
                    return Integer.parseInt(read(p));
                }
            } catch (IOException | NumberFormatException e) {
                // try the next candidate
            }
        }
        return -1;
    }
}
