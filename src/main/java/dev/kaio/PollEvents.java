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

/**
 * Event bits for {@link AioContext#poll(int, int)} (IOCB_CMD_POLL), the POLL* values of
 * {@code <poll.h>}. The kernel always adds POLLERR and POLLHUP.
 */
public final class PollEvents {

    /** There is data to read. */
    public static final int POLLIN = 0x001;
    /** There is urgent data to read (e.g. TCP out-of-band data). */
    public static final int POLLPRI = 0x002;
    /** Writing is now possible. */
    public static final int POLLOUT = 0x004;
    /** An error condition (always reported). */
    public static final int POLLERR = 0x008;
    /** Hang up: the other end closed (always reported). */
    public static final int POLLHUP = 0x010;
    /** Normal data may be read. */
    public static final int POLLRDNORM = 0x040;

    private PollEvents() {}
}
