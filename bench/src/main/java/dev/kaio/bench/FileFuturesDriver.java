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

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * kaio's file API: every request is a CompletableFuture; its completion callback (on the context's
 * reaper thread) counts it and submits the next request of the slot, so {@code depth} stay in flight.
 */
final class FileFuturesDriver extends CallbackDriver {

    private final Spec spec;
    private final boolean forceSyscalls;
    private AioContext ctx;
    private AioFile file;
    private Arena arena;

    FileFuturesDriver(Spec spec, boolean forceSyscalls) {
        this.spec = spec;
        this.forceSyscalls = forceSyscalls;
    }

    @Override
    public void start() throws Exception {
        ctx = AioContext.open(spec.depth(), AioContext.Options.defaults().forceSyscalls(forceSyscalls));
        file = AioFile.open(ctx, spec.path(), StandardOpenOption.READ, StandardOpenOption.WRITE, AioOpenOption.DIRECT);
        arena = Arena.ofShared();
        for (int i = 0; i < spec.depth(); i++) {
            new Slot(DirectBuffers.allocate(arena, spec.blockSize(), 4096), new SplittableRandom(spec.seed() + i)).issue();
        }
    }

    /** One request slot: its buffer, its random positions, and its callback (allocated once). */
    private final class Slot implements BiConsumer<Integer, Throwable> {
        final MemorySegment buffer;
        final SplittableRandom random;

        Slot(MemorySegment buffer, SplittableRandom random) {
            this.buffer = buffer;
            this.random = random;
        }

        void issue() {
            inFlight.incrementAndGet();
            long pos = spec.position(random);
            CompletableFuture<Integer> f = spec.isRead(random) ? file.read(buffer, pos) : file.write(buffer, pos);
            f.whenComplete(this);
        }

        @Override
        public void accept(Integer n, Throwable e) {
            if (e != null || n != spec.blockSize()) {
                failed(e != null ? e : new IllegalStateException("short transfer " + n));
            } else if (completed()) {
                issue();
            }
        }
    }

    @Override
    public void close() throws Exception {
        stopAndDrain();
        if (file != null) {
            file.close();
            ctx.close();
            arena.close();
        }
    }
}
