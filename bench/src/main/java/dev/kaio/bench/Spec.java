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

import dev.kaio.engine.RawFile;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * What one benchmark drives: a target (file or block device, O_DIRECT), a block size, a queue depth and
 * a read share. Positions are random multiples of the block size, as fio's randread/randwrite.
 */
record Spec(Path path, long size, int depth, int blockSize, int readPercent, long seed) {

    static Spec of(String path, int depth, int blockSize, String rw) throws IOException {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("set the target with -p path=/dev/loopN (or a file of >= 1 GiB)");
        }
        Path p = Path.of(path);
        long size;
        try (RawFile f = RawFile.open(p, StandardOpenOption.READ)) {
            size = f.size();
        }
        int read = switch (rw) {
            case "randread" -> 100;
            case "randwrite" -> 0;
            case "randrw" -> 70;
            default -> throw new IllegalArgumentException("rw must be randread, randwrite or randrw: " + rw);
        };
        if (size < (long) blockSize * 16) {
            throw new IllegalArgumentException(path + " is too small (" + size + " bytes)");
        }
        return new Spec(p, size, depth, blockSize, read, 42);
    }

    long blocks() {
        return size / blockSize;
    }

    long position(SplittableRandom random) {
        return random.nextLong(blocks()) * blockSize;
    }

    boolean isRead(SplittableRandom random) {
        return readPercent == 100 || (readPercent > 0 && random.nextInt(100) < readPercent);
    }
}
