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

import dev.kaio.AioException;
import dev.kaio.internal.linux.LinuxH;
import java.lang.foreign.Arena;

/**
 * What the running kernel's AIO implementation supports, probed once per JVM with real requests.
 */
public final class KernelFeatures {

    private KernelFeatures() {}

    private static final class PollHolder {
        static final boolean POLL = probePoll();
    }

    /**
     * True if {@code IOCB_CMD_POLL} works (Linux 4.18+): the probe polls a signalled eventfd for POLLIN
     * through a one-slot context and checks the completion.
     */
    public static boolean poll() {
        return PollHolder.POLL;
    }

    /** The probe itself, run once by {@link #poll}; package-private so that a test can run it again. */
    static boolean probePoll() {
        long ctx;
        try {
            ctx = KernelContexts.setup(1);
        } catch (AioException e) {
            return false;
        }
        try (Arena arena = Arena.ofConfined(); EventFd efd = new EventFd(true)) {
            efd.signal(1);
            KernelProbe.Completion c = KernelProbe.submitOne(arena, ctx, Iocbs.CMD_POLL, efd.fd(), LinuxH.POLLIN(), 0, 0,
                    42, 1);
            return c.submitErrno() == 0 && c.data() == 42 && (c.res() & LinuxH.POLLIN()) != 0;
        } catch (AioException e) {
            return false;
        } finally {
            try {
                KernelContexts.destroy(ctx);
            } catch (AioException ignored) {
                // a probe context that cannot be destroyed has nothing in flight either
            }
        }
    }
}
