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
 * Byte-range locks for {@link KaioFileChannel}: open-file-description locks (fcntl F_OFD_SETLK,
 * Linux 3.15+; never the blocking F_OFD_SETLKW, see {@link PendingLock}), plus a JVM-wide table of
 * held and pending ranges per file so that an overlapping request from this JVM throws
 * {@link OverlappingFileLockException}, as the JDK's channels do.
 *
 * <p>Ranges are as {@link java.nio.channels.FileLock} has them: a size of 0 was already turned into
 * {@code Long.MAX_VALUE - position} ("to the end of the file, however it grows") by the channel, and
 * a range ending at {@code Long.MAX_VALUE} is passed to the kernel as {@code l_len = 0}, which means
 * the same.
 */
final class FileLocks {

    /**
     * A locked or pending range, for the overlap table. Compared by identity: two requests for the
     * same range of the same channel are different entries (only one can be in the table at a time).
     */
    static final class Range {
        final Object owner;
        final long position;
        final long size;

        Range(Object owner, long position, long size) {
            this.owner = owner;
            this.position = position;
            this.size = size;
        }

        /** True if [position, position + size) and [p, p + s) share a byte (both ends at most Long.MAX_VALUE). */
        boolean overlaps(long p, long s) {
            return position < end(p, s) && p < end(position, size);
        }

        private static long end(long position, long size) {
            long end = position + size;
            return end < 0 ? Long.MAX_VALUE : end;
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
            list.removeIf(r -> r.owner == owner);
            return list.isEmpty() ? null : list;
        });
    }

    /**
     * fcntl(fd, F_OFD_SETLK, {type, SEEK_SET, position, size}): never waits. Returns 0 or -errno
     * (EAGAIN/EACCES: held elsewhere). The caller pins {@code fd} (AioFile.beginRequest) so that it
     * cannot be closed, and its number reused by another file, during the call.
     */
    static int fcntl(int fd, short type, long position, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fl = flock.allocate(arena);
            flock.l_type(fl, type);
            flock.l_whence(fl, (short) LinuxH.SEEK_SET());
            flock.l_start(fl, position);
            // a range that ends at Long.MAX_VALUE (tryLock(), or a size of 0) covers the rest of the file however it grows
            flock.l_len(fl, size == Long.MAX_VALUE || position + size == Long.MAX_VALUE ? 0 : size);
            flock.l_pid(fl, 0); // must be 0 for OFD locks
            return Libc.fcntlLock(Libc.errnoState(arena), fd, LinuxH.F_OFD_SETLK(), fl);
        }
    }

    /** True for the errors that mean "held by another open file description or process": try later. */
    static boolean isBusy(int ret) {
        return ret == -Errno.EAGAIN || ret == -Errno.EACCES || ret == -Errno.EINTR;
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
