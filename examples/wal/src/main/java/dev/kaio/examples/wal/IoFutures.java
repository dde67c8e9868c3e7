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
package dev.kaio.examples.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting for kaio's futures where the caller expects an {@link IOException}. */
final class IoFutures {

    private IoFutures() {}

    /** The result, or the request's own exception ({@code AioException}, ...) instead of a CompletionException. */
    static <T> T await(CompletableFuture<T> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw asIOException(e.getCause());
        }
    }

    /** A failure of a completed future as an IOException. */
    static IOException asIOException(Throwable t) {
        if (t instanceof CompletionException ce && ce.getCause() != null) {
            t = ce.getCause();
        }
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof UncheckedIOException u) {
            return u.getCause();
        }
        return new IOException(t);
    }

    /** The exception a completed future failed with, or null if it succeeded. */
    static Throwable failure(CompletableFuture<?> done) {
        if (!done.isCompletedExceptionally()) {
            return null;
        }
        try {
            done.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (RuntimeException e) {
            return e; // cancelled
        }
    }
}
