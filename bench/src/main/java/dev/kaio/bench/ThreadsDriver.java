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
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What Java gives without AIO: {@code depth} platform threads, each doing positional
 * FileChannel reads/writes (pread/pwrite) with O_DIRECT in a loop, like fio's psync engine with
 * numjobs = depth.
 */
final class ThreadsDriver implements Driver {

    private final Spec spec;
    private final Completions completions = new Completions();
    private volatile boolean running = true;
    private FileChannel channel;
    private final List<Thread> threads = new ArrayList<>();

    ThreadsDriver(Spec spec) {
        this.spec = spec;
    }

    @Override
    public void start() throws Exception {
        channel = FileChannel.open(spec.path(), StandardOpenOption.READ, StandardOpenOption.WRITE,
                ExtendedOpenOption.DIRECT);
        for (int t = 0; t < spec.depth(); t++) {
            SplittableRandom random = new SplittableRandom(spec.seed() + t);
            threads.add(Thread.ofPlatform().daemon().name("pread-" + t).start(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(spec.blockSize() + 4096).alignedSlice(4096);
                try {
                    while (running) {
                        b.clear().limit(spec.blockSize());
                        long pos = spec.position(random);
                        int n = spec.isRead(random) ? channel.read(b, pos) : channel.write(b, pos);
                        if (n != spec.blockSize()) {
                            throw new IllegalStateException("short transfer " + n);
                        }
                        completions.complete();
                    }
                } catch (Exception e) {
                    if (running) {
                        completions.fail(e);
                    }
                }
            }));
        }
    }

    @Override
    public long run(int ops) {
        return completions.await(ops);
    }

    @Override
    public void close() throws Exception {
        running = false;
        for (Thread t : threads) {
            t.join();
        }
        if (channel != null) {
            channel.close();
        }
    }
}
