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

    static final String USAGE = """
            usage: kaio bench [--file PATH | --device /dev/X] [options]

              --file PATH         regular file to use (created and filled when missing or smaller than --size)
              --device /dev/X     block device to use (writes need --force: they destroy its contents)
                                  without --file/--device: a temporary file, created, filled and removed
              --dir DIR           directory for the temporary file (default: java.io.tmpdir, or . if that is tmpfs)
              --rw MODE           read, write, randread (default), randwrite, randrw, rw
              --rwmixread PCT     share of reads for randrw/rw, percent (default 50)
              --bs SIZE           block size (default 4k)
              --iodepth N         requests in flight (default 32)
              --runtime TIME      how long to run (default 10s; e.g. 500ms, 30s, 2m)
              --ramp_time TIME    run this long first without measuring (JIT warm-up; default 0)
              --number_ios N      stop after N requests instead
              --size SIZE         region used (default: the whole file or device; 1g for the temporary file)
              --direct[=0|1]      O_DIRECT (default 1); --buffered is --direct=0
              --vectored N        each request is one PREADV/PWRITEV of N segments of --bs bytes
              --verify[=0|1]      stamp written blocks with their offset and check every read
                                  (default 1 for the temporary file, 0 otherwise)
              --seed N            seed of the random offsets
              --iodepth_batch_complete_min N   wait for at least N completions per reap (default 1, as fio)
              --iodepth_batch_submit N   requests per io_submit (default 1, as fio; 0: every request
                                  ready at once goes in one io_submit)
              --json              print the report as JSON (fio's field names)
              --no-progress       no live progress line (it is only shown on a terminal anyway)
              --force             allow writing to a block device
            """;

    static BenchOptions parse(List<String> args) throws UsageException {
        Path file = null;
        Path device = null;
        Path dir = null;
        Workload rw = Workload.RANDREAD;
        int mix = 50;
        int bs = 4096;
        int depth = 32;
        long runtime = Units.parseDuration("--runtime", "10s");
        long size = 0;
        boolean direct = true;
        int vectored = 0;
        long ios = 0;
        Boolean verify = null;
        boolean json = false;
        boolean force = false;
        boolean progress = true;
        long seed = 0x5eed;
        int batchCompleteMin = 1;
        long ramp = 0;
        int batchSubmit = 1; // fio's default: each request is submitted as soon as it is ready
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "--json" -> json = flag(name, value);
                case "--force" -> force = flag(name, value);
                case "--no-progress" -> progress = false;
                case "--buffered" -> direct = !flag(name, value);
                case "--direct" -> direct = flag(name, value);
                case "--verify" -> verify = flag(name, value);
                case "--file", "--filename", "--device", "--dir", "--rw", "--readwrite", "--rwmixread", "--bs",
                        "--blocksize", "--iodepth", "--runtime", "--size", "--vectored", "--number_ios", "--seed",
                        "--iodepth_batch_complete_min", "--ramp_time", "--iodepth_batch_submit",
                        "--iodepth_batch" -> {
                    if (value == null) {
                        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    switch (name) {
                        case "--file", "--filename" -> file = Path.of(value);
                        case "--device" -> device = Path.of(value);
                        case "--dir" -> dir = Path.of(value);
                        case "--rw", "--readwrite" -> rw = Workload.parse(value);
                        case "--rwmixread" -> mix = Units.parseInt(name, value, 0, 100);
                        case "--bs", "--blocksize" -> {
                            long b = Units.parseSize(name, value);
                            if (b < 1 || b > (64L << 20)) {
                                throw new UsageException("--bs must be between 1 byte and 64MiB: " + value);
                            }
                            bs = (int) b;
                        }
                        case "--iodepth" -> depth = Units.parseInt(name, value, 1, 65536);
                        case "--runtime" -> {
                            runtime = Units.parseDuration(name, value);
                            if (runtime <= 0) {
                                throw new UsageException("--runtime must be positive: " + value);
                            }
                        }
                        case "--size" -> {
                            size = Units.parseSize(name, value);
                            if (size <= 0) {
                                throw new UsageException("--size must be positive: " + value);
                            }
                        }
                        case "--vectored" -> vectored = Units.parseInt(name, value, 1, 1024);
                        case "--iodepth_batch_complete_min" -> batchCompleteMin = Units.parseInt(name, value, 1, 65536);
                        case "--ramp_time" -> ramp = Units.parseDuration(name, value);
                        case "--iodepth_batch_submit", "--iodepth_batch" -> batchSubmit = Units.parseInt(name, value, 0,
                                65536);
                        case "--number_ios" -> ios = Units.parseInt(name, value, 1, Integer.MAX_VALUE);
                        case "--seed" -> {
                            try {
                                seed = Long.parseLong(value);
                            } catch (NumberFormatException e) {
                                throw new UsageException("invalid number for --seed: '" + value + "'");
                            }
                        }
                        default -> throw new AssertionError(name);
                    }
                }
                default -> throw new UsageException("unknown option for kaio bench: " + arg);
            }
        }
        if (file != null && device != null) {
            throw new UsageException("give --file or --device, not both");
        }
        if (dir != null && (file != null || device != null)) {
            throw new UsageException("--dir is for the temporary file; it makes no sense with --file or --device");
        }
        if (device != null && rw.writes && !force) {
            throw new UsageException("--rw " + rw.fioName + " on a block device overwrites its contents: add --force");
        }
        long request = (long) bs * Math.max(1, vectored);
        if (size > 0 && size < request) {
            throw new UsageException("--size " + size + " is smaller than one request (" + request + " bytes)");
        }
        if (batchCompleteMin > depth) {
            throw new UsageException("--iodepth_batch_complete_min " + batchCompleteMin + " exceeds --iodepth " + depth);
        }
        return new BenchOptions(file, device, dir, rw, mix, bs, depth, runtime, size, direct, vectored, ios, verify,
                json, force, progress, seed, batchCompleteMin, ramp, batchSubmit == 0 ? Integer.MAX_VALUE : batchSubmit);
    }

    private static boolean flag(String name, String value) throws UsageException {
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
