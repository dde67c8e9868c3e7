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
package dev.kaio.tools;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The options of {@code kaio bench}, named as fio names them.
 *
 * @param file       --file: a regular file (created and filled if missing or too small)
 * @param device     --device: a block device
 * @param dir        --dir: where the temporary file goes when neither is given
 * @param rw         --rw
 * @param rwMixRead  --rwmixread: percentage of reads in randrw
 * @param blockSize  --bs
 * @param ioDepth    --iodepth
 * @param runtimeNanos --runtime
 * @param size       --size: the region of the file or device exercised (0 = all of an existing one)
 * @param direct     --direct (default 1): O_DIRECT
 * @param vectored   --vectored N: each request is one PREADV/PWRITEV of N segments of bs bytes
 * @param ios        --number_ios: stop after this many requests (0 = run for --runtime)
 * @param verify     --verify: stamp written blocks with their offset and check reads
 * @param json       --json
 * @param force      --force: allow writes to a block device
 * @param progress   live progress line (only on a terminal)
 * @param seed       --seed for the random offsets
 * @param batchCompleteMin --iodepth_batch_complete_min: wait for at least this many completions per reap
 * @param rampNanos  --ramp_time: run this long before measuring
 * @param batchSubmit --iodepth_batch_submit: requests per io_submit (0: all that are ready, in one call)
 */
record BenchOptions(Path file, Path device, Path dir, Workload rw, int rwMixRead, int blockSize, int ioDepth,
        long runtimeNanos, long size, boolean direct, int vectored, long ios, Boolean verify, boolean json,
        boolean force, boolean progress, long seed, int batchCompleteMin, long rampNanos, int batchSubmit) {

    enum Workload {
        READ("read", false, true, false), WRITE("write", false, false, true), RANDREAD("randread", true, true, false),
        RANDWRITE("randwrite", true, false, true), RANDRW("randrw", true, true, true), RW("rw", false, true, true);

        final String fioName;
        final boolean random;
        final boolean reads;
        final boolean writes;

        Workload(String fioName, boolean random, boolean reads, boolean writes) {
            this.fioName = fioName;
            this.random = random;
            this.reads = reads;
            this.writes = writes;
        }

        static Workload parse(String s) throws UsageException {
            for (Workload w : values()) {
                if (w.fioName.equals(s.toLowerCase(Locale.ROOT)) || (w == RW && s.equalsIgnoreCase("readwrite"))) {
                    return w;
                }
            }
            throw new UsageException("invalid --rw '" + s + "': use read, write, randread, randwrite, randrw or rw");
        }
    }

    static final long DEFAULT_TEMP_SIZE = 1L << 30;

    /**
     * Parses the options of {@code kaio bench} (the arguments after "bench").
     *
     * @throws UsageException with the message kaio prints if an option is unknown, lacks its value or
     *                        has a bad one
     */
    static BenchOptions parse(List<String> args) throws UsageException {
        return Main.parse(new BenchCommand(null, null), args).options();
    }

    static boolean flag(String name, String value) throws UsageException {
        if (value == null || value.equals("1") || value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equals("0") || value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new UsageException("invalid value for " + name + ": '" + value + "' (use 0 or 1)");
    }

    /** Bytes moved by one request. */
    long requestBytes() {
        return (long) blockSize * Math.max(1, vectored);
    }
}
