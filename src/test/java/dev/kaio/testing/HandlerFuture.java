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
package dev.kaio.testing;

import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A completion handler as a future: {@code completed(v)} completes it, {@code failed(e)} fails it.
 * Counts its calls and remembers the thread and attachment of the last one.
 */
public final class HandlerFuture<V> extends CompletableFuture<V> implements CompletionHandler<V, Object> {

    public final AtomicInteger calls = new AtomicInteger();
    public volatile Thread thread;
    public volatile Object attachment;

    @Override
    public void completed(V result, Object att) {
        calls.incrementAndGet();
        thread = Thread.currentThread();
        attachment = att;
        complete(result);
    }

    @Override
    public void failed(Throwable exc, Object att) {
        calls.incrementAndGet();
        thread = Thread.currentThread();
        attachment = att;
        completeExceptionally(exc);
    }
}
