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

    /** Opens something that holds a kernel AIO context (and closes it). */
    @FunctionalInterface
    public interface Opener {
        AutoCloseable open() throws Exception;
    }

    /**
     * Asserts that what {@code opener} opens adds exactly {@code events} to fs.aio-nr while open and
     * takes them off again on close. fs.aio-nr is machine-wide: other processes (a parallel build, a
     * container, a guest) move it too, so an attempt that another process's io_setup or io_destroy
     * disturbed is repeated, up to 20 times; a context that is not counted, or not destroyed on close,
     * fails every attempt.
     */
    public static void assertCountedWhileOpen(long events, Opener opener) throws Exception {
        java.util.List<String> seen = new java.util.ArrayList<>();
        for (int attempt = 0; attempt < 20; attempt++) {
            long before = aioNr();
            long open;
            try (AutoCloseable ignored = opener.open()) {
                open = aioNr();
            }
            long after = aioNr();
            if (open == before + events && after == before) {
                return;
            }
            seen.add(before + " -> " + open + " -> " + after);
            Thread.sleep(20); // let another process's burst of contexts pass
        }
        org.junit.jupiter.api.Assertions.fail("fs.aio-nr before -> while open -> after close, expected +" + events
                + " then back, in 20 attempts: " + seen);
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
