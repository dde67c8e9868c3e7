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

import dev.kaio.examples.wal.CommitMode;
import dev.kaio.examples.wal.LogFullException;
import dev.kaio.examples.wal.WalOptions;
import dev.kaio.examples.wal.WriteAheadLog;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The write-ahead log of examples/wal: 8 threads append records of 64 B to 4 KiB (uniformly random
 * sizes) and each waits until its record is durable; one committer batches what is pending (group
 * commit). Score: durable records per second (acknowledged appends). The same log, record format and
 * group commit in every mode; only the committer's I/O differs:
 * <ul>
 * <li>{@code PWRITEV_FDSYNC}: kaio, O_DIRECT, each batch one PWRITEV, an FDSYNC after the writes
 * completed, up to {@code writesInFlight} batch writes in flight (the next batches are written while
 * a sync runs);</li>
 * <li>{@code RWF_DSYNC}: kaio, O_DIRECT, each batch one PWRITEV with RWF_DSYNC, up to
 * {@code writesInFlight} in flight;</li>
 * <li>{@code FILE_CHANNEL}: the baseline, {@code FileChannel.write} (buffered) then
 * {@code force(false)}, one batch at a time.</li>
 * </ul>
 * Each measurement iteration gets a new log file in {@code dir} (created, preallocated and
 * zero-filled in the setup, which is not measured), so no iteration fills one: size it with
 * {@code capacityMib}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(8)
public class WalBench {

    @Param({"PWRITEV_FDSYNC", "RWF_DSYNC", "FILE_CHANNEL"})
    public String mode;

    /** A directory on the filesystem to test (not tmpfs: durability is what is measured). */
    @Param("")
    public String dir;

    /** The log file of each iteration, MiB. */
    @Param("1024")
    public int capacityMib;

    /** kaio modes: batch writes in flight. */
    @Param("4")
    public int writesInFlight;

    private WriteAheadLog log;
    private Path file;
    private int iteration;

    @Setup(Level.Iteration)
    public void newLog() throws Exception {
        if (dir.isEmpty()) {
            throw new IllegalArgumentException("set -p dir=/a/directory/on/the/disk");
        }
        file = Path.of(dir, "kaio-walbench-" + ProcessHandle.current().pid() + "-" + iteration++ + ".log");
        Files.deleteIfExists(file);
        log = WriteAheadLog.create(file, WalOptions.defaults().withMode(CommitMode.valueOf(mode))
                .withCapacity((long) capacityMib << 20).withWritesInFlight(writesInFlight));
    }

    @TearDown(Level.Iteration)
    public void closeLog() throws Exception {
        WriteAheadLog.Stats s = log.stats();
        log.close();
        Files.deleteIfExists(file);
        System.out.printf("%n  %s: %d records in %d batches (%.1f each), %d syncs, %.1f MiB incl. %.1f MiB padding%n",
                mode, s.records(), s.batches(), (double) s.records() / Math.max(1, s.batches()), s.syncs(),
                s.durableBytes() / 1048576.0, s.paddingBytes() / 1048576.0);
    }

    /** One appender's records: a 4 KiB random payload, of which each record takes a random length. */
    @State(Scope.Thread)
    public static class Appender {
        final int[] sizes = new int[4096];
        MemorySegment payload;
        int next;

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            SplittableRandom r = new SplittableRandom(thread.getThreadIndex());
            byte[] bytes = new byte[4096];
            r.nextBytes(bytes);
            payload = MemorySegment.ofArray(bytes);
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = 64 + r.nextInt(4096 - 64 + 1);
            }
        }

        MemorySegment record() {
            return payload.asSlice(0, sizes[next++ & (sizes.length - 1)]);
        }
    }

    /** Appends one record and returns when it is durable. */
    @Benchmark
    public long append(Appender appender) throws Exception {
        try {
            return log.append(appender.record());
        } catch (LogFullException e) {
            throw new IllegalStateException("the log filled up within an iteration: raise -p capacityMib", e);
        }
    }
}
