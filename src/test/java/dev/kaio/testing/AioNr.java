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

import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the system-wide AIO counters the kernel exposes. */
public final class AioNr {

    private AioNr() {}

    public static long aioNr() {
        return read("/proc/sys/fs/aio-nr");
    }

    public static long aioMaxNr() {
        return read("/proc/sys/fs/aio-max-nr");
    }

    private static long read(String path) {
        try {
            // one large read: a sysctl answers EOF to reads not at offset 0 (Files.readString reads 1 byte first)
            try (java.io.InputStream in = Files.newInputStream(Path.of(path))) {
                return Long.parseLong(new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).trim());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }
}
