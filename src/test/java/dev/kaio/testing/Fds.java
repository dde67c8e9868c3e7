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

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Pipes, eventfd reads and page-cache eviction for the tests, through kaio's own libc bindings. */
public final class Fds {

    private Fds() {}

    /** A pipe: {@code [read end, write end]}, both O_CLOEXEC. */
    public static int[] pipe() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            int ret = Libc.pipe2(Libc.errnoState(a), fds, LinuxH.O_CLOEXEC());
            if (ret < 0) {
                throw new IOException("pipe2: errno " + -ret);
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    public static void write(int fd, byte[] data) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(data.length);
            buf.copyFrom(MemorySegment.ofArray(data));
            long ret = Libc.write(Libc.errnoState(a), fd, buf.address(), data.length);
            if (ret != data.length) {
                throw new IOException("write: " + ret);
            }
        }
    }

    /** read(2) of a non-blocking eventfd's 8-byte counter: 0 when it is zero (EAGAIN). */
    public static long readEventFdOrZero(int fd) throws IOException {
        return readCounter(fd, true);
    }

    /** read(2) of an eventfd's 8-byte counter (blocks on a blocking eventfd until it is non-zero). */
    public static long readEventFd(int fd) throws IOException {
        return readCounter(fd, false);
    }

    private static long readCounter(int fd, boolean zeroOnEagain) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(JAVA_LONG);
            long ret = Libc.read(Libc.errnoState(a), fd, buf.address(), 8);
            if (zeroOnEagain && ret == -11) {
                return 0;
            }
            if (ret != 8) {
                throw new IOException("read(eventfd): " + ret);
            }
            return buf.get(JAVA_LONG, 0);
        }
    }

    public static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            Libc.close(Libc.errnoState(a), fd);
        }
    }

    /** Drops a file's pages from the page cache (after fsync, so they are clean): POSIX_FADV_DONTNEED. */
    public static void evictFromPageCache(java.nio.file.Path path) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try (dev.kaio.engine.RawFile f = dev.kaio.engine.RawFile.open(path, java.nio.file.StandardOpenOption.READ)) {
            int ret = Libc.posixFadvise(f.fd(), 0, 0, 4 /* POSIX_FADV_DONTNEED */);
            if (ret != 0) {
                throw new IOException("posix_fadvise: errno " + -ret);
            }
        }
    }
}
