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
import java.nio.file.Path;

/**
 * The two system-wide AIO counters: {@code fs.aio-max-nr} (the limit on the sum of the queue depths
 * of every live context, settable by root) and {@code fs.aio-nr} (that sum right now).
 */
public final class AioSysctl {

    public static final Path AIO_MAX_NR = Path.of("/proc/sys/fs/aio-max-nr");
    public static final Path AIO_NR = Path.of("/proc/sys/fs/aio-nr");

    private AioSysctl() {}

    /** {@code /proc/sys/fs/aio-max-nr}, or -1 if it cannot be read. */
    public static long maxNr() {
        return read(AIO_MAX_NR);
    }

    /** {@code /proc/sys/fs/aio-nr}, or -1 if it cannot be read. */
    public static long nr() {
        return read(AIO_NR);
    }

    private static long read(Path p) {
        try {
            return Long.parseLong(KernelFiles.read(p));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Explains an EAGAIN from io_setup(nr). */
    public static String exhaustedMessage(int requested) {
        return exhaustedMessage(requested, maxNr(), nr());
    }

    /** The message for {@code requested} events with {@code max} and {@code used} as read (-1: unreadable). */
    static String exhaustedMessage(int requested, long max, long used) {
        return "/proc/sys/fs/aio-max-nr is exhausted: this context needs " + requested + " more, aio-nr is " + used
                + " of aio-max-nr " + max + (max >= 0 && used >= 0 ? " (" + Math.max(0, max - used) + " free)" : "")
                + "; close unused contexts or raise the limit, e.g. sysctl -w fs.aio-max-nr="
                + Math.max(max * 2, 1048576);
    }
}
