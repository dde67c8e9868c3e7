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
package dev.kaio.bench;

import com.sun.nio.file.ExtendedOpenOption;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An {@link AsynchronousFileChannel} with CompletionHandler chaining: the JDK's (a thread pool doing
 * blocking pread/pwrite) or kaio's {@link dev.kaio.KaioFileChannel} (Linux AIO). Direct, aligned
 * buffers and O_DIRECT for both.
 */
final class ChannelDriver extends CallbackDriver {

    private final Spec spec;
    private final boolean kaio;
    private AsynchronousFileChannel channel;
    private dev.kaio.AioContext context;
    private ExecutorService pool;

    ChannelDriver(Spec spec, boolean kaio) {
        this.spec = spec;
        this.kaio = kaio;
    }

    @Override
    public void start() throws Exception {
        Set<OpenOption> options = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        if (kaio) {
            context = dev.kaio.AioContext.open(spec.depth());
            // handlers run where the completion is collected (kaio's reaper), like the JDK's pool threads
            channel = dev.kaio.KaioFileChannel.open(context, spec.path(), options, new DirectExecutor());
        } else {
            pool = java.util.concurrent.Executors.newFixedThreadPool(spec.depth());
            channel = AsynchronousFileChannel.open(spec.path(), options, pool);
        }
        for (int slot = 0; slot < spec.depth(); slot++) {
            ByteBuffer b = ByteBuffer.allocateDirect(spec.blockSize() + 4096).alignedSlice(4096);
            b.limit(spec.blockSize());
            Handler h = new Handler(b, new SplittableRandom(spec.seed() + slot));
            h.issue();
        }
    }

    private final class Handler implements CompletionHandler<Integer, Object> {
        final ByteBuffer buffer;
        final SplittableRandom random;

        Handler(ByteBuffer buffer, SplittableRandom random) {
            this.buffer = buffer;
            this.random = random;
        }

        void issue() {
            inFlight.incrementAndGet();
            buffer.clear().limit(spec.blockSize());
            long pos = spec.position(random);
            if (spec.isRead(random)) {
                channel.read(buffer, pos, null, this);
            } else {
                channel.write(buffer, pos, null, this);
            }
        }

        @Override
        public void completed(Integer n, Object attachment) {
            if (n != spec.blockSize()) {
                ChannelDriver.this.failed(new IllegalStateException("short transfer " + n));
            } else if (ChannelDriver.this.completed()) {
                issue();
            }
        }

        @Override
        public void failed(Throwable exc, Object attachment) {
            ChannelDriver.this.failed(exc);
        }
    }

    @Override
    public void close() throws Exception {
        stopAndDrain();
        if (channel != null) {
            channel.close();
        }
        if (context != null) {
            context.close();
        }
        if (pool != null) {
            pool.shutdown();
        }
    }

    /** Runs tasks on the calling thread. */
    static final class DirectExecutor extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public java.util.List<Runnable> shutdownNow() {
            shutdown = true;
            return java.util.List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
