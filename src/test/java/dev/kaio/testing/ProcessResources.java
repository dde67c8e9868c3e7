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
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this process holds in the kernel, as the kernel lists it: open file descriptors
 * ({@code /proc/self/fd}) and kernel AIO rings ({@code [aio]} mappings in {@code /proc/self/maps},
 * one per context that io_setup created and io_destroy has not destroyed). Unlike kaio's own
 * counters these also see descriptors kaio forgot to count (a feature probe's file, a test's pipe).
 */
public final class ProcessResources {

    private ProcessResources() {}

    /**
     * Open descriptors by what they point to: a path, or the kind of an anonymous one ("pipe",
     * "socket", "anon_inode:[eventfd]", ...), with how many point there.
     */
    public static Map<String, Integer> descriptors() {
        Path dir = Path.of("/proc/self/fd");
        Map<String, Integer> out = new TreeMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(dir)) {
            String self = null;
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed while listing
                }
                // the listing's own descriptor points at this directory
                if (target.matches("/proc/\\d+/fd")) {
                    if (self == null) {
                        self = target;
                        continue;
                    }
                }
                out.merge(kind(target), 1, Integer::sum);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return out;
    }

    /** "pipe:[1234]" -> "pipe", "socket:[99]" -> "socket"; anon_inode names and paths stay as they are. */
    static String kind(String target) {
        int bracket = target.indexOf(":[");
        if (bracket > 0 && !target.startsWith("anon_inode:")) {
            return target.substring(0, bracket);
        }
        return target;
    }

    /** The kernel AIO rings mapped in this process: one line of /proc/self/maps per ring. */
    public static List<String> aioRings() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.endsWith("/[aio] (deleted)") || line.endsWith("[aio]")) {
                    out.add(line);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/maps", e);
        }
        return out;
    }

    /** Total bytes of the AIO rings mapped in this process (their size follows each context's queue depth). */
    public static long aioRingBytes() {
        long total = 0;
        for (String line : aioRings()) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            total += Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
        }
        return total;
    }
}
