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

import java.io.IOException;

/**
 * A Linux AIO operation failed with an errno: a system call ({@code io_setup}, {@code io_submit},
 * ...) returned an error, or the kernel completed a request with a negative result.
 *
 * <p>The message names the operation, the errno's name and description, and what was being done,
 * e.g. {@code "read: EINVAL (Invalid argument): 4096 bytes at position 100 of /data/f (O_DIRECT needs
 * position, length and buffer address aligned to 512)"}.
 */
public class AioException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The positive errno value. */
    private final int errno;
    /** The system call or request that failed. */
    private final String operation;

    /**
     * An exception for {@code errno}, with a message naming the operation, the errno and the detail.
     *
     * @param errno     the positive errno value
     * @param operation the system call or request that failed ({@code "io_submit"}, {@code "read"}, ...)
     * @param detail    what was being done, or null
     */
    public AioException(int errno, String operation, String detail) {
        super(message(errno, operation, detail));
        this.errno = errno;
        this.operation = operation;
    }

    private static String message(int errno, String operation, String detail) {
        String base = operation + ": " + Errno.name(errno) + " (" + Errno.description(errno) + ")";
        return detail == null || detail.isEmpty() ? base : base + ": " + detail;
    }

    /**
     * The positive errno value.
     *
     * @return e.g. {@link Errno#EINVAL}
     */
    public int errno() {
        return errno;
    }

    /**
     * The errno's symbolic name.
     *
     * @return e.g. {@code "EINVAL"}
     */
    public String errnoName() {
        return Errno.name(errno);
    }

    /**
     * The system call or request kind that failed.
     *
     * @return e.g. {@code "io_submit"} or {@code "readv"}
     */
    public String operation() {
        return operation;
    }
}
