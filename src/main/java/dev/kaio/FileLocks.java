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
package dev.kaio;

import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.flock;
import dev.kaio.internal.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.OverlappingFileLockException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-range locks for {@link KaioFileChannel}: open-file-description locks (fcntl F_OFD_SETLK /
 * F_OFD_SETLKW, Linux 3.15+), plus a JVM-wide table of held and pending ranges per file so that an
 * overlapping request from this JVM throws {@link OverlappingFileLockException}, as the JDK's
 * channels do.
 */
final class FileLocks {

    /** A locked or pending range, for the overlap table. */
    record Range(Object owner, long position, long size) {
        boolean overlaps(long p, long s) {
            long end = size == Long.MAX_VALUE || position + size < 0 ? Long.MAX_VALUE : position + size;
            long otherEnd = s == Long.MAX_VALUE || p + s < 0 ? Long.MAX_VALUE : p + s;
            return position < otherEnd && p < end;
        }
    }

    private static final Map<String, List<Range>> TABLE = new ConcurrentHashMap<>();

    private FileLocks() {}

    /** Registers a range for {@code fileKey}, or throws if it overlaps one this JVM holds or waits for. */
    static Range register(String fileKey, Object owner, long position, long size) {
        Range range = new Range(owner, position, size);
        TABLE.compute(fileKey, (k, list) -> {
            List<Range> l = list == null ? new ArrayList<>() : list;
            for (Range r : l) {
                if (r.overlaps(position, size)) {
                    throw new OverlappingFileLockException();
                }
            }
            l.add(range);
            return l;
        });
        return range;
    }

    static void unregister(String fileKey, Range range) {
        TABLE.computeIfPresent(fileKey, (k, list) -> {
            list.remove(range);
            return list.isEmpty() ? null : list;
        });
    }

    /** Removes every range of {@code owner} (its channel closed, which released its OFD locks). */
    static void unregisterAll(String fileKey, Object owner) {
        TABLE.computeIfPresent(fileKey, (k, list) -> {
            list.removeIf(r -> r.owner() == owner);
            return list.isEmpty() ? null : list;
        });
    }

    /**
     * fcntl(fd, F_OFD_SETLK or F_OFD_SETLKW, {type, SEEK_SET, position, size}). Returns 0 or -errno
     * (EAGAIN/EACCES: held elsewhere).
     */
    static int fcntl(int fd, boolean wait, short type, long position, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fl = flock.allocate(arena);
            flock.l_type(fl, type);
            flock.l_whence(fl, (short) LinuxH.SEEK_SET());
            flock.l_start(fl, position);
            flock.l_len(fl, size == Long.MAX_VALUE ? 0 : size); // 0: to the end of the file, however it grows
            flock.l_pid(fl, 0);                                  // must be 0 for OFD locks
            return Libc.fcntlLock(Libc.errnoState(arena), fd, wait ? LinuxH.F_OFD_SETLKW() : LinuxH.F_OFD_SETLK(), fl);
        }
    }

    static short readLock() {
        return (short) LinuxH.F_RDLCK();
    }

    static short writeLock() {
        return (short) LinuxH.F_WRLCK();
    }

    static short unlock() {
        return (short) LinuxH.F_UNLCK();
    }
}
