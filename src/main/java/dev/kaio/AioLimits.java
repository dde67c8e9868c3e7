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
 * The system-wide AIO event limit ({@code /proc/sys/fs/aio-max-nr}) and its use
 * ({@code /proc/sys/fs/aio-nr}) at one moment. A context of queue depth {@code n} takes {@code n}
 * events ({@code n} for an {@link AioContext}); io_setup fails with EAGAIN beyond the limit.
 *
 * @param aioMaxNr the limit, or -1 if unreadable
 * @param aioNr    the events held by every live context on the machine, or -1 if unreadable
 */
public record AioLimits(long aioMaxNr, long aioNr) {

    /**
     * Events still available to new contexts.
     *
     * @return {@code aioMaxNr - aioNr} (at least 0), or -1 if unknown
     */
    public long headroom() {
        return aioMaxNr < 0 || aioNr < 0 ? -1 : Math.max(0, aioMaxNr - aioNr);
    }
}
