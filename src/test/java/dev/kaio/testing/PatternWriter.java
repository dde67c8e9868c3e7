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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/** Writes byte k at position k up to {@code size}, each write started by the previous one's handler. */
public final class PatternWriter implements CompletionHandler<Integer, ByteBuffer> {
    private final AsynchronousFileChannel channel;
    private final long size;
    private final Random random;
    private final CompletableFuture<Void> finished;
    private long position;
    private long next;

    public PatternWriter(AsynchronousFileChannel channel, long size, Random random, CompletableFuture<Void> finished) {
        this.channel = channel;
        this.size = size;
        this.random = random;
        this.finished = finished;
    }

    /** Starts the first write; {@code finished} completes when the channel is closed after the last. */
    public void start() {
        ByteBuffer b = nextBuffer();
        channel.write(b, 0, b, this);
    }

    private ByteBuffer nextBuffer() {
        int n = (int) Math.min(8192 + random.nextInt(8192), size - next);
        ByteBuffer b = random.nextBoolean() ? ByteBuffer.allocate(n) : ByteBuffer.allocateDirect(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) next++);
        }
        return b.flip();
    }

    @Override
    public void completed(Integer written, ByteBuffer b) {
        position += written;
        if (!b.hasRemaining()) {
            if (position >= size) {
                close(null);
                return;
            }
            b = nextBuffer();
        }
        channel.write(b, position, b, this);
    }

    @Override
    public void failed(Throwable exc, ByteBuffer b) {
        close(exc);
    }

    private void close(Throwable failure) {
        try {
            channel.close();
        } catch (IOException e) {
            failure = failure != null ? failure : e;
        }
        if (failure != null) {
            finished.completeExceptionally(failure);
        } else {
            finished.complete(null);
        }
    }
}
