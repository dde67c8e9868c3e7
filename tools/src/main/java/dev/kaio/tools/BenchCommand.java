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

import dev.kaio.tools.BenchOptions.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kaio bench}: the command line (picocli reads the options, named as fio names them) and the
 * run. Values are kept as text and checked in {@link #options()}, so that every mistake gets kaio's
 * own message.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"run a fio-style benchmark through Linux AIO",
            "Without --file/--device: a temporary file, created, filled and removed."},
        sortOptions = false, usageHelpWidth = 110)
final class BenchCommand implements Callable<Integer> {

    @Option(names = {"--file", "--filename"}, paramLabel = "PATH",
            description = "regular file to use (created and filled when missing or smaller than --size)")
    private String file;

    @Option(names = "--device", paramLabel = "/dev/X",
            description = "block device to use (writes need --force: they destroy its contents)")
    private String device;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "directory for the temporary file (default: java.io.tmpdir, or . if that is tmpfs)")
    private String dir;

    @Option(names = {"--rw", "--readwrite"}, paramLabel = "MODE",
            description = "read, write, randread (default), randwrite, randrw, rw")
    private String rw = "randread";

    @Option(names = "--rwmixread", paramLabel = "PCT", description = "share of reads for randrw/rw, percent (default 50)")
    private String rwMixRead = "50";

    @Option(names = {"--bs", "--blocksize"}, paramLabel = "SIZE", description = "block size (default 4k)")
    private String blockSize = "4k";

    @Option(names = "--iodepth", paramLabel = "N", description = "requests in flight (default 32)")
    private String ioDepth = "32";

    @Option(names = "--runtime", paramLabel = "TIME", description = "how long to run (default 10s; e.g. 500ms, 30s, 2m)")
    private String runtime = "10s";

    @Option(names = "--ramp_time", paramLabel = "TIME",
            description = "run this long first without measuring (JIT warm-up; default 0)")
    private String rampTime = "0";

    @Option(names = "--number_ios", paramLabel = "N", description = "stop after N requests instead")
    private String numberIos;

    @Option(names = "--size", paramLabel = "SIZE",
            description = "region used (default: the whole file or device; 1g for the temporary file)")
    private String size;

    @Option(names = "--direct", arity = "0..1", fallbackValue = "1", paramLabel = "0|1",
            description = "O_DIRECT (default 1)")
    private String direct;

    @Option(names = "--buffered", arity = "0..1", fallbackValue = "1", paramLabel = "0|1", description = "--direct=0")
    private String buffered;

    @Option(names = "--vectored", paramLabel = "N",
            description = "each request is one PREADV/PWRITEV of N segments of --bs bytes")
    private String vectored;

    @Option(names = "--verify", arity = "0..1", fallbackValue = "1", paramLabel = "0|1",
            description = "stamp written blocks with their offset and check every read "
                    + "(default 1 for the temporary file, 0 otherwise)")
    private String verify;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the random offsets")
    private String seed;

    @Option(names = "--iodepth_batch_complete_min", paramLabel = "N",
            description = "wait for at least N completions per reap (default 1, as fio)")
    private String batchCompleteMin = "1";

    @Option(names = {"--iodepth_batch_submit", "--iodepth_batch"}, paramLabel = "N",
            description = "requests per io_submit (default 1, as fio; 0: every request ready at once goes in one "
                    + "io_submit)")
    private String batchSubmit = "1";

    @Option(names = "--json", arity = "0..1", fallbackValue = "1", paramLabel = "0|1",
            description = "print the report as JSON (fio's field names)")
    private String json;

    @Option(names = "--no-progress", description = "no live progress line (it is only shown on a terminal anyway)")
    private boolean noProgress;

    @Option(names = "--force", arity = "0..1", fallbackValue = "1", paramLabel = "0|1",
            description = "allow writing to a block device")
    private String force;

    private final PrintStream out;
    private final PrintStream err;

    BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws UsageException, IOException {
        BenchOptions options = options();
        boolean terminal = out == System.out && System.console() != null && isTerminal();
        PrintStream progress = options.progress() && terminal && !options.json() ? err : null;
        BenchResult result = new BenchRunner(options, progress).run();
        out.print(options.json() ? BenchReport.json(result, Main.version()) : BenchReport.text(result));
        return result.errors == 0 ? 0 : 1;
    }

    private static boolean isTerminal() {
        try {
            // Console.isTerminal() is Java 22+: true only when stdin and stdout are both a terminal
            return System.console().isTerminal();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The options, checked. */
    BenchOptions options() throws UsageException {
        Path filePath = file == null ? null : Path.of(file);
        Path devicePath = device == null ? null : Path.of(device);
        Path dirPath = dir == null ? null : Path.of(dir);
        Workload workload = Workload.parse(rw);
        int mix = Units.parseInt("--rwmixread", rwMixRead, 0, 100);
        long bs = Units.parseSize("--bs", blockSize);
        if (bs < 1 || bs > (64L << 20)) {
            throw new UsageException("--bs must be between 1 byte and 64MiB: " + blockSize);
        }
        int depth = Units.parseInt("--iodepth", ioDepth, 1, 65536);
        long runtimeNanos = Units.parseDuration("--runtime", runtime);
        if (runtimeNanos <= 0) {
            throw new UsageException("--runtime must be positive: " + runtime);
        }
        long sizeBytes = 0;
        if (size != null) {
            sizeBytes = Units.parseSize("--size", size);
            if (sizeBytes <= 0) {
                throw new UsageException("--size must be positive: " + size);
            }
        }
        boolean isDirect = direct == null || BenchOptions.flag("--direct", direct);
        if (buffered != null) {
            isDirect = !BenchOptions.flag("--buffered", buffered);
        }
        int segments = vectored == null ? 0 : Units.parseInt("--vectored", vectored, 1, 1024);
        long ios = numberIos == null ? 0 : Units.parseInt("--number_ios", numberIos, 1, Integer.MAX_VALUE);
        Boolean verifyReads = verify == null ? null : BenchOptions.flag("--verify", verify);
        boolean jsonReport = json != null && BenchOptions.flag("--json", json);
        boolean forceWrites = force != null && BenchOptions.flag("--force", force);
        long randomSeed = 0x5eed;
        if (seed != null) {
            try {
                randomSeed = Long.parseLong(seed);
            } catch (NumberFormatException e) {
                throw new UsageException("invalid number for --seed: '" + seed + "'");
            }
        }
        int completeMin = Units.parseInt("--iodepth_batch_complete_min", batchCompleteMin, 1, 65536);
        long ramp = Units.parseDuration("--ramp_time", rampTime);
        int submitBatch = Units.parseInt("--iodepth_batch_submit", batchSubmit, 0, 65536);

        if (filePath != null && devicePath != null) {
            throw new UsageException("give --file or --device, not both");
        }
        if (dirPath != null && (filePath != null || devicePath != null)) {
            throw new UsageException("--dir is for the temporary file; it makes no sense with --file or --device");
        }
        if (devicePath != null && workload.writes && !forceWrites) {
            throw new UsageException("--rw " + workload.fioName + " on a block device overwrites its contents: add --force");
        }
        long request = bs * Math.max(1, segments);
        if (sizeBytes > 0 && sizeBytes < request) {
            throw new UsageException("--size " + sizeBytes + " is smaller than one request (" + request + " bytes)");
        }
        if (completeMin > depth) {
            throw new UsageException("--iodepth_batch_complete_min " + completeMin + " exceeds --iodepth " + depth);
        }
        return new BenchOptions(filePath, devicePath, dirPath, workload, mix, (int) bs, depth, runtimeNanos, sizeBytes,
                isDirect, segments, ios, verifyReads, jsonReport, forceWrites, !noProgress, randomSeed, completeMin, ramp,
                submitBatch == 0 ? Integer.MAX_VALUE : submitBatch);
    }
}
