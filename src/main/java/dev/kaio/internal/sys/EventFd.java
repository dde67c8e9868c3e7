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

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kaio.AioException;
import dev.kaio.Errno;
import dev.kaio.internal.linux.LinuxH;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** An eventfd(2) counter, owning its file descriptor and an 8-byte native buffer for signalling. */
public final class EventFd implements AutoCloseable {

    private final Arena arena = NativeResources.sharedArena();
    private final MemorySegment value = arena.allocate(JAVA_LONG);
    private final int fd;
    private volatile boolean closed;

    /** Creates an eventfd with EFD_CLOEXEC (and EFD_NONBLOCK if {@code nonBlocking}). */
    public EventFd(boolean nonBlocking) throws AioException {
        int flags = LinuxH.EFD_CLOEXEC() | (nonBlocking ? LinuxH.EFD_NONBLOCK() : 0);
        int ret;
        try (Arena tmp = Arena.ofConfined()) {
            ret = Libc.eventfd(Libc.errnoState(tmp), 0, flags);
        }
        if (ret < 0) {
            arena.close();
            throw new AioException(-ret, "eventfd", null);
        }
        fd = ret;
        NativeResources.descriptorOpened();
    }

    public int fd() {
        return fd;
    }

    /** Adds {@code n} to the counter, waking readers and pollers. */
    public synchronized void signal(long n) throws AioException {
        if (closed) {
            throw new AioException(Errno.EBADF, "write(eventfd)", "closed");
        }
        try (Arena tmp = Arena.ofConfined()) {
            value.set(JAVA_LONG, 0, n);
            long ret = Libc.write(Libc.errnoState(tmp), fd, value.address(), 8);
            if (ret < 0) {
                throw new AioException((int) -ret, "write(eventfd)", "fd " + fd);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try (Arena tmp = Arena.ofConfined()) {
                Libc.close(Libc.errnoState(tmp), fd);
            }
            NativeResources.descriptorClosed();
            arena.close();
        }
    }
}
