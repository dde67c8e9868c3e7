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

import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.engine.AioQueue;
import dev.kaio.engine.RawFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * kaio's low-level engine, the way fio's libaio engine works: one thread, a slot per request, the
 * slot index as the tag; each reaped completion is replaced at once, either with an io_submit of its
 * own (fio's default, iodepth_batch_submit=1) or all of a reap's replacements in one io_submit
 * ({@code batched}). No allocation per request.
 */
final class QueueDriver implements Driver {

    private final Spec spec;
    private final boolean forceSyscalls;
    private final boolean batched;
    private final SplittableRandom random;
    private AioQueue queue;
    private RawFile file;
    private Arena arena;
    private MemorySegment[] buffers;
    private int fd;

    QueueDriver(Spec spec, boolean forceSyscalls, boolean batched) {
        this.spec = spec;
        this.forceSyscalls = forceSyscalls;
        this.batched = batched;
        this.random = new SplittableRandom(spec.seed());
    }

    @Override
    public void start() throws Exception {
        file = RawFile.open(spec.path(), StandardOpenOption.READ, StandardOpenOption.WRITE, AioOpenOption.DIRECT);
        queue = AioQueue.open(spec.depth(), AioQueue.Options.defaults().forceSyscalls(forceSyscalls));
        arena = Arena.ofShared();
        buffers = new MemorySegment[spec.depth()];
        for (int i = 0; i < spec.depth(); i++) {
            buffers[i] = DirectBuffers.allocate(arena, spec.blockSize(), 4096);
            buffers[i].fill((byte) i);
        }
        fd = file.fd();
        for (int slot = 0; slot < spec.depth(); slot++) {
            prepare(slot);
        }
        queue.submit();
    }

    private void prepare(int slot) {
        long pos = spec.position(random);
        if (spec.isRead(random)) {
            queue.prepareRead(fd, buffers[slot], pos, slot);
        } else {
            queue.prepareWrite(fd, buffers[slot], pos, slot);
        }
    }

    @Override
    public long run(int ops) throws Exception {
        AioQueue q = queue;
        int depth = spec.depth();
        long bs = spec.blockSize();
        int done = 0;
        while (done < ops) {
            int n = q.reap(1, Math.min(depth, ops - done), -1);
            for (int k = 0; k < n; k++) {
                if (q.result(k) != bs) {
                    throw AioQueue.failure(q.result(k) < 0 ? q.result(k) : -5, "bench", "result " + q.result(k));
                }
                prepare((int) q.tag(k));
                if (!batched) {
                    q.submit();
                }
            }
            if (batched) {
                q.submit();
            }
            done += n;
        }
        return done;
    }

    long ringCompletions() {
        return queue.ringCompletions();
    }

    @Override
    public void close() throws Exception {
        if (queue != null) {
            while (queue.inFlight() > 0) {
                queue.reap(1, spec.depth(), -1);
            }
            queue.close();
            file.close();
            arena.close();
        }
    }
}
