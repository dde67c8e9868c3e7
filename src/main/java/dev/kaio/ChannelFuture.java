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

import java.util.concurrent.CompletableFuture;

/**
 * The future of a {@link KaioFileChannel} read or write. Cancelling it abandons the result (kernel
 * file I/O cannot be stopped: the transfer may still happen); {@code cancel(true)} also closes the
 * channel, as the JDK's channel does. Dependent stages are plain CompletableFutures.
 */
final class ChannelFuture<V> extends CompletableFuture<V> {

    private final KaioFileChannel channel;

    ChannelFuture(KaioFileChannel channel) {
        this.channel = channel;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = !isDone() && super.cancel(mayInterruptIfRunning);
        if (cancelled && mayInterruptIfRunning) {
            channel.closeQuietly();
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
