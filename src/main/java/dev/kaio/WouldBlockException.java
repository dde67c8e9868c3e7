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
 * A request with {@link RwFlag#NOWAIT} would have blocked (EAGAIN): the data is not in the page
 * cache, the write needs block allocation, or the device queue is full. Nothing was transferred;
 * submit the request again without the flag (or use {@link IoOptions#retryWithoutNowait()}).
 */
public final class WouldBlockException extends AioException {

    private static final long serialVersionUID = 1L;

    /**
     * An EAGAIN failure of a RWF_NOWAIT request.
     *
     * @param operation the request kind ({@code "read"}, {@code "write"}, ...)
     * @param detail    what was being done, or null
     */
    public WouldBlockException(String operation, String detail) {
        super(Errno.EAGAIN, operation, detail);
    }
}
