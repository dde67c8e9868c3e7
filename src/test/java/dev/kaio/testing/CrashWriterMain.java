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
import dev.kaio.IoOptions;
import dev.kaio.RwFlag;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The child of CrashConsistencyTest: writes checksummed blocks at random positions and acknowledges
 * them only once they are durable, in one of four ways:
 * <ul>
 * <li>{@code fdatasync} / {@code fsync}: a batch of up to 16 plain writes, then one IOCB_CMD_FDSYNC /
 * IOCB_CMD_FSYNC, then "ACK block generation" for each block of the batch;
 * <li>{@code dsync} / {@code sync}: each write carries RWF_DSYNC / RWF_SYNC and is acknowledged as
 * soon as it completes.
 * </ul>
 * Before submitting a write it prints "W block generation", so that the test can count the writes
 * that were never made durable. Runs until it is killed.
 *
 * <pre>CrashWriterMain FILE BLOCKS SEED MODE DIRECT(true|false)</pre>
 */
public final class CrashWriterMain {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int blocks = Integer.parseInt(args[1]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
        String mode = args[3];
        boolean direct = Boolean.parseBoolean(args[4]);
        IoOptions writeOptions = switch (mode) {
            case "fdatasync", "fsync" -> IoOptions.NONE;
            case "dsync" -> IoOptions.of(RwFlag.DSYNC);
            case "sync" -> IoOptions.of(RwFlag.SYNC);
            default -> throw new IllegalArgumentException("mode: " + mode);
        };
        boolean perWrite = writeOptions != IoOptions.NONE;
        PrintStream out = new PrintStream(System.out, false);
        List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE));
        if (direct) {
            options.add(AioOpenOption.DIRECT);
        }
        long generation = 0;
        try (AioContext ctx = AioContext.open(32);
                AioFile f = AioFile.open(ctx, file, options.toArray(OpenOption[]::new));
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
                Set<Integer> chosen = new HashSet<>();
                for (int i = 0; i < bufs.length; i++) {
                    int block = random.nextInt(blocks);
                    if (!chosen.add(block)) {
                        continue;
                    }
                    generation++;
                    ChecksummedBlock.fill(bufs[i], block, generation);
                    out.println("W " + block + " " + generation);
                    writes.add(f.write(bufs[i], (long) block * ChecksummedBlock.SIZE, writeOptions));
                    batch.add(new int[] {block, (int) generation});
                }
                out.flush();
                for (int i = 0; i < writes.size(); i++) {
                    if (writes.get(i).join() != ChecksummedBlock.SIZE) {
                        throw new IllegalStateException("short write");
                    }
                    if (perWrite) { // durable on completion: acknowledged at once
                        out.println("ACK " + batch.get(i)[0] + " " + batch.get(i)[1]);
                    }
                }
                if (!perWrite) {
                    (mode.equals("fsync") ? f.fsync() : f.fdatasync()).join(); // durable: only now acknowledged
                    for (int[] b : batch) {
                        out.println("ACK " + b[0] + " " + b[1]);
                    }
                }
                out.flush();
            }
        }
    }
}
