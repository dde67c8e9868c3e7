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

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The child of CrashConsistencyTest: writes batches of checksummed blocks with O_DIRECT, then
 * fdatasync, and only then prints "ACK block generation" for each block of the batch. It runs until
 * it is killed.
 */
public final class CrashWriterMain {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int blocks = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(System.out, false);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
        long generation = 0;
        try (AioContext ctx = AioContext.open(32);
                AioFile f = AioFile.open(ctx, file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE, AioOpenOption.DIRECT);
                Arena arena = Arena.ofShared()) {
            MemorySegment[] bufs = new MemorySegment[16];
            for (int i = 0; i < bufs.length; i++) {
                bufs[i] = DirectBuffers.allocate(arena, ChecksummedBlock.SIZE, 4096);
            }
            out.println("READY");
            out.flush();
            while (true) {
                List<int[]> batch = new ArrayList<>();
                List<CompletableFuture<Integer>> writes = new ArrayList<>();
                java.util.Set<Integer> chosen = new java.util.HashSet<>();
                for (int i = 0; i < bufs.length; i++) {
                    int block = random.nextInt(blocks);
                    if (!chosen.add(block)) {
                        continue;
                    }
                    generation++;
                    ChecksummedBlock.fill(bufs[i], block, generation);
                    writes.add(f.write(bufs[i], (long) block * ChecksummedBlock.SIZE));
                    batch.add(new int[] {block, (int) generation});
                }
                for (CompletableFuture<Integer> w : writes) {
                    if (w.join() != ChecksummedBlock.SIZE) {
                        throw new IllegalStateException("short write");
                    }
                }
                f.fdatasync().join(); // durable: only now are the writes acknowledged
                for (int[] b : batch) {
                    out.println("ACK " + b[0] + " " + b[1]);
                }
                out.flush();
            }
        }
    }
}
