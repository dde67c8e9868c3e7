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

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.kaio.AioContext;
import dev.kaio.AioException;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.Durability;
import dev.kaio.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Creating a log file: reserve its space, write it once, make its name durable. After this the log
 * only overwrites blocks that exist, so a commit's FDSYNC (or RWF_DSYNC) never has to commit a block
 * allocation or an extent conversion to the filesystem's journal: it is a device flush.
 */
final class LogFiles {

    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS_IN_FLIGHT = 4;

    private LogFiles() {}

    /** What {@link #create} made. */
    record Created(int alignment, long capacity, long dataStart, boolean preallocated) {}

    /**
     * Creates {@code path} (it must not exist) as an empty log of at least {@code capacity} bytes:
     * fallocate(2) (skipped where the filesystem has none: the zeros below allocate the blocks), zeros
     * written with O_DIRECT, the header, fdatasync, then fsync of the directory.
     */
    static Created create(AioContext ctx, Path path, long capacity, int maxPayload) throws IOException {
        // the arena first, so that it is closed last: AioFile.close() waits for writes still in flight
        try (Arena arena = Arena.ofShared();
                AioFile file = AioFile.open(ctx, path, 0644, READ, WRITE, CREATE_NEW, AioOpenOption.DIRECT)) {
            int alignment = file.alignment();
            long dataStart = Math.max(LogFormat.HEADER_BLOCK, alignment);
            long size = DirectBuffers.alignUp(Math.max(capacity, dataStart + CHUNK), CHUNK);
            boolean preallocated = true;
            try {
                file.preallocate(0, size);
            } catch (AioException e) {
                if (e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                preallocated = false; // e.g. a FUSE filesystem: writing the zeros allocates the blocks
            }
            MemorySegment zeros = DirectBuffers.allocate(arena, CHUNK, Math.max(alignment, 4096));
            MemorySegment first = DirectBuffers.allocate(arena, CHUNK, Math.max(alignment, 4096));
            first.copyFrom(MemorySegment.ofArray(LogFormat.fileHeader(alignment, size, dataStart, maxPayload)));
            ArrayDeque<CompletableFuture<Integer>> inFlight = new ArrayDeque<>();
            for (long pos = 0; pos < size; pos += CHUNK) {
                if (inFlight.size() == CHUNKS_IN_FLIGHT) {
                    expectFull(IoFutures.await(inFlight.poll()), path);
                }
                inFlight.add(file.write(pos == 0 ? first : zeros, pos));
            }
            while (!inFlight.isEmpty()) {
                expectFull(IoFutures.await(inFlight.poll()), path);
            }
            IoFutures.await(file.fdatasync()); // after the writes completed: an FDSYNC covers only those
            Durability.syncParentDirectory(path);
            return new Created(alignment, size, dataStart, preallocated);
        }
    }

    private static void expectFull(int written, Path path) throws IOException {
        if (written != CHUNK) {
            throw new IOException("short write while formatting " + path + ": " + written + " of " + CHUNK + " bytes");
        }
    }
}
