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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** io_setup and io_destroy with their errors turned into {@link AioException}s. */
public final class KernelContexts {

    /** The kernel refuses more than this many events per context (fs/aio.c: 0x10000000 / sizeof(io_event)). */
    public static final int MAX_EVENTS = 0x10000000 / 32 / 2;

    private KernelContexts() {}

    /** Creates a kernel AIO context able to hold {@code nrEvents} requests in flight; returns its id. */
    public static long setup(int nrEvents) throws AioException {
        NativeAccess.ensureEnabled();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            MemorySegment ctxp = arena.allocate(JAVA_LONG); // zeroed: io_setup requires *ctxp == 0
            long ret = Syscalls.ioSetup(errno, nrEvents, ctxp.address());
            if (ret < 0) {
                int err = (int) -ret;
                String detail = switch (err) {
                    case Errno.EAGAIN -> AioSysctl.exhaustedMessage(nrEvents);
                    case Errno.ENOSYS -> "nr_events=" + nrEvents
                            + ": this kernel has no AIO (CONFIG_AIO=n), or a seccomp filter answers ENOSYS for io_setup";
                    case Errno.EPERM -> "nr_events=" + nrEvents
                            + ": not permitted, typically by a seccomp filter (a container profile without io_setup)";
                    default -> "nr_events=" + nrEvents;
                };
                throw new AioException(err, "io_setup", detail);
            }
            long ctx = ctxp.get(JAVA_LONG, 0);
            if (ctx == 0) {
                throw new AioException(Errno.EINVAL, "io_setup", "the kernel returned a null context");
            }
            NativeResources.contextCreated();
            return ctx;
        }
    }

    /** Destroys a context: the kernel cancels what it can and waits for every other in-flight request. */
    public static void destroy(long ctx) throws AioException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            // io_destroy waits uninterruptibly, so there is no EINTR to retry (a retry would see EINVAL).
            long ret = Syscalls.ioDestroy(errno, ctx);
            if (ret < 0) {
                throw new AioException((int) -ret, "io_destroy", "context 0x" + Long.toHexString(ctx));
            }
            NativeResources.contextDestroyed();
        }
    }
}
