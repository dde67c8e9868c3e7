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

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kaio soak [options]}: the command line of {@link Soak}. */
@Command(name = "soak", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"a load run that verifies every acknowledged write",
            "Several threads share one AioContext and keep it overfull with vectored writes of checksummed 4 KiB "
                    + "blocks, verifying vectored reads and periodic fdatasyncs; afterwards every block is verified "
                    + "through FileChannel. Exit status 1 if anything was lost or corrupted, or a kernel context "
                    + "leaked (fs.aio-nr not back to its start value)."},
        sortOptions = false, usageHelpWidth = 110)
final class SoakCommand implements Callable<Integer> {

    @Option(names = "--duration", paramLabel = "TIME", description = "how long to load (default 60s)")
    private String duration = "60s";

    @Option(names = "--threads", paramLabel = "N", description = "submitting threads (default 4)")
    private String threads = "4";

    @Option(names = "--iodepth", paramLabel = "N", description = "the context's queue depth (default 64)")
    private String ioDepth = "64";

    @Option(names = "--size", paramLabel = "SIZE", description = "file size (default 64m)")
    private String size = "64m";

    @Option(names = "--file", paramLabel = "PATH", description = "file to use (default: a temporary file, removed afterwards)")
    private String file;

    @Option(names = "--buffered", description = "without O_DIRECT (default: O_DIRECT)")
    private boolean buffered;

    @Option(names = "--sync-interval", paramLabel = "TIME", description = "fdatasync period per thread (default 50ms)")
    private String syncInterval = "50ms";

    @Option(names = "--seed", paramLabel = "N", description = "random seed (default 1)")
    private String seed = "1";

    private final PrintStream out;

    SoakCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws UsageException, IOException, InterruptedException {
        Soak.Settings settings = settings();
        try {
            Soak.Report report = Soak.run(settings);
            out.print(report.text());
            return report.errors() == 0 && report.leakedAioEvents() == 0 ? 0 : 1;
        } finally {
            if (file == null) {
                Files.deleteIfExists(settings.file());
            }
        }
    }

    /** The settings, checked; without --file, a new temporary file. */
    Soak.Settings settings() throws UsageException, IOException {
        long durationNanos = Units.parseDuration("--duration", duration);
        int threadCount = Units.parseInt("--threads", threads, 1, 256);
        int depth = Units.parseInt("--iodepth", ioDepth, 1, 65536);
        long sizeBytes = Units.parseSize("--size", size);
        long syncNanos = Units.parseDuration("--sync-interval", syncInterval);
        long randomSeed;
        try {
            randomSeed = Long.parseLong(seed);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid number for --seed: " + seed);
        }
        int blocks = (int) Math.min(Integer.MAX_VALUE, sizeBytes / Soak.BLOCK);
        if (blocks < threadCount * 8) {
            throw new UsageException("--size too small: need at least " + threadCount * 8 * Soak.BLOCK + " bytes for "
                    + threadCount + " threads");
        }
        Path path;
        if (file != null) {
            path = Path.of(file);
        } else {
            path = Files.createTempFile(BenchRunner.defaultTempDir(), "kaio-soak-", ".dat");
            path.toFile().deleteOnExit();
        }
        return new Soak.Settings(path, durationNanos, threadCount, depth, blocks, !buffered, syncNanos, randomSeed);
    }
}
