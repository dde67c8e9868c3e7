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

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.kaio.AioException;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.Errno;
import dev.kaio.engine.AioQueue;
import dev.kaio.engine.RawFile;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Runs {@code kaio bench}: one thread driving one {@link AioQueue}, keeping {@code iodepth} requests
 * in flight. Each round prepares a request for every free slot, submits them with one io_submit and
 * reaps at least one completion with io_getevents, recording per-request latency in a histogram.
 * Nothing is allocated per request.
 */
final class BenchRunner {

    /** Every 512-byte sector written by the bench starts with its own file offset (see --verify). */
    static final int STAMP_INTERVAL = 512;

    private static final long PROGRESS_INTERVAL = 1_000_000_000L;

    private final BenchOptions o;
    private final PrintStream progress;

    BenchRunner(BenchOptions options, PrintStream progress) {
        this.o = options;
        this.progress = progress;
    }

    BenchResult run() throws IOException, UsageException {
        Target target = openTarget();
        try {
            return runJob(target);
        } finally {
            target.close();
        }
    }

    // ------------------------------------------------------------------------------------ target

    /** The file or device under test, and whether we created it. */
    private record Target(RawFile file, Path path, long size, boolean temporary, String description) {
        void close() throws IOException {
            file.close();
            if (temporary) {
                Files.deleteIfExists(path);
            }
        }
    }

    private Target openTarget() throws IOException, UsageException {
        List<OpenOption> opts = new ArrayList<>();
        opts.add(READ);
        if (o.rw().writes) {
            opts.add(WRITE);
        }
        if (o.direct()) {
            opts.add(AioOpenOption.DIRECT);
        }
        if (o.device() != null) {
            RawFile dev = RawFile.open(o.device(), opts.toArray(OpenOption[]::new));
            if (!dev.isBlockDevice()) {
                dev.close();
                throw new UsageException(o.device() + " is not a block device (use --file for a regular file)");
            }
            long devSize = dev.size();
            long size = o.size() > 0 ? Math.min(o.size(), devSize) : devSize;
            return new Target(dev, o.device(), size, false, o.device() + " (block device, " + Units.bytes(devSize) + ")");
        }
        if (o.file() != null) {
            Path path = o.file();
            long existing = Files.exists(path) ? Files.size(path) : -1;
            if (existing < 0 && o.size() == 0) {
                throw new UsageException(path + " does not exist: give --size to create it");
            }
            long size = o.size() > 0 ? o.size() : existing;
            if (size < o.requestBytes()) {
                throw new UsageException(path + " is smaller (" + size + " bytes) than one request; give --size");
            }
            if (existing < size) {
                fill(path, Math.max(0, existing), size);
            }
            RawFile f = RawFile.open(path, opts.toArray(OpenOption[]::new));
            return new Target(f, path, size, false, path + " (" + Units.bytes(size) + " used)");
        }
        Path dir = o.dir() != null ? o.dir() : defaultTempDir();
        long size = o.size() > 0 ? o.size() : BenchOptions.DEFAULT_TEMP_SIZE;
        Path path = Files.createTempFile(dir, "kaio-bench-", ".dat");
        path.toFile().deleteOnExit();
        try {
            fill(path, 0, size);
            opts.add(WRITE);
            RawFile f = RawFile.open(path, opts.toArray(OpenOption[]::new));
            return new Target(f, path, size, true, path + " (temporary, " + Units.bytes(size) + ")");
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** java.io.tmpdir, unless it is tmpfs (no real I/O there): then the working directory. */
    static Path defaultTempDir() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (Files.getFileStore(tmp).type().equals("tmpfs")) {
            return Path.of("").toAbsolutePath();
        }
        return tmp;
    }

    /** Writes stamped data to {@code [from, to)} through kaio itself, then fdatasync. */
    static void fill(Path path, long from, long to) throws IOException {
        int chunk = 1 << 20;
        int depth = 8;
        long start = from & -(long) STAMP_INTERVAL;
        try (RawFile f = RawFile.open(path, READ, WRITE, CREATE);
                AioQueue q = AioQueue.open(depth);
                Arena arena = Arena.ofConfined()) {
            MemorySegment buffers = DirectBuffers.allocate(arena, (long) chunk * depth, 4096);
            SplittableRandom random = new SplittableRandom(path.hashCode());
            for (long i = 0; i < buffers.byteSize(); i += 8) {
                buffers.set(JAVA_LONG_UNALIGNED, i, random.nextLong());
            }
            long pos = start;
            int inFlight = 0;
            int slot = 0;
            while (pos < to || inFlight > 0) {
                while (pos < to && q.remaining() > 0) {
                    long len = Math.min(chunk, to - pos);
                    MemorySegment b = buffers.asSlice((long) slot * chunk, len);
                    stamp(b, pos);
                    q.prepareWrite(f.fd(), b, pos, pos);
                    pos += len;
                    slot = (slot + 1) % depth;
                    inFlight++;
                }
                q.submit();
                int n = q.reap(1, depth, -1);
                for (int k = 0; k < n; k++) {
                    if (q.result(k) < 0) {
                        throw AioQueue.failure(q.result(k), "write", "filling " + path + " at " + q.tag(k));
                    }
                }
                inFlight -= n;
            }
            q.prepareFdsync(f.fd(), -1);
            q.submit();
            q.reap(1, 1, -1);
            if (q.result(0) < 0) {
                throw AioQueue.failure(q.result(0), "fdatasync", path.toString());
            }
        }
    }

    static void stamp(MemorySegment buffer, long position) {
        long first = (STAMP_INTERVAL - position % STAMP_INTERVAL) % STAMP_INTERVAL;
        for (long off = first; off + 8 <= buffer.byteSize(); off += STAMP_INTERVAL) {
            buffer.set(JAVA_LONG_UNALIGNED, off, position + off);
        }
    }

    /** Index of the first sector whose stamp is wrong, or -1. */
    static long checkStamps(MemorySegment buffer, long position, long length) {
        long first = (STAMP_INTERVAL - position % STAMP_INTERVAL) % STAMP_INTERVAL;
        for (long off = first; off + 8 <= length; off += STAMP_INTERVAL) {
            if (buffer.get(JAVA_LONG_UNALIGNED, off) != position + off) {
                return off;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------ job

    private BenchResult runJob(Target t) throws IOException {
        int depth = o.ioDepth();
        int bs = o.blockSize();
        int segs = Math.max(1, o.vectored());
        long request = o.requestBytes();
        int align = Math.max(t.file().alignment(), 8);
        if (o.direct() && (bs % t.file().alignment() != 0)) {
            throw new AioException(Errno.EINVAL, "bench", "--bs " + bs + " is not a multiple of the O_DIRECT alignment "
                    + t.file().alignment() + " of " + t.path() + " (" + t.file().alignmentInfo().source() + ")");
        }
        boolean verify = o.verify() != null ? o.verify() : t.temporary();
        boolean canVerify = verify && bs % STAMP_INTERVAL == 0;
        long blocks = t.size() / request;   // request-sized, request-aligned positions
        if (blocks < 1) {
            throw new AioException(Errno.EINVAL, "bench", "the target is smaller than one request");
        }

        BenchResult r = new BenchResult(o, t.description(), t.temporary(), verify && canVerify, t.file().alignmentInfo());
        try (AioQueue q = AioQueue.open(depth, depth * segs); Arena arena = Arena.ofConfined()) {
            MemorySegment pool = DirectBuffers.allocate(arena, request * depth, Math.max(align, 4096));
            SplittableRandom random = new SplittableRandom(o.seed());
            for (long i = 0; i + 8 <= pool.byteSize(); i += 8) {
                pool.set(JAVA_LONG_UNALIGNED, i, random.nextLong());
            }
            MemorySegment[] slotBuffers = new MemorySegment[depth];
            MemorySegment[][] slotSegments = new MemorySegment[depth][segs];
            for (int s = 0; s < depth; s++) {
                slotBuffers[s] = pool.asSlice(request * s, request);
                for (int k = 0; k < segs; k++) {
                    slotSegments[s][k] = slotBuffers[s].asSlice((long) bs * k, bs);
                }
            }
            int[] free = new int[depth];
            for (int s = 0; s < depth; s++) {
                free[s] = depth - 1 - s;
            }
            int freeCount = depth;
            long[] positions = new long[depth];
            boolean[] isWrite = new boolean[depth];
            long[] preparedAt = new long[depth];
            long[] submittedAt = new long[depth];
            int[] batch = new int[depth];

            int fd = t.file().fd();
            long cursor = 0;
            long issued = 0;
            boolean stop = false;
            long start = System.nanoTime();
            // like fio's ramp_time: run, but measure only from the end of the ramp (JIT warm-up included)
            long rampEnd = start + o.rampNanos();
            boolean ramping = o.rampNanos() > 0;
            long deadline = rampEnd + o.runtimeNanos();
            long lastProgress = start;
            long end = start;
            int inFlight = 0;
            while (true) {
                long now = System.nanoTime();
                if (!stop && (o.ios() > 0 ? issued >= o.ios() : now >= deadline)) {
                    stop = true;
                }
                int prepared = 0;
                int submittedUpTo = 0;
                while (!stop && freeCount > 0 && (o.ios() == 0 || issued < o.ios())) {
                    int s = free[--freeCount];
                    long pos;
                    if (o.rw().random) {
                        pos = random.nextLong(blocks) * request;
                    } else {
                        pos = cursor;
                        cursor += request;
                        if (cursor + request > t.size()) {
                            cursor = 0;
                        }
                    }
                    boolean write = o.rw().writes && (!o.rw().reads || random.nextInt(100) >= o.rwMixRead());
                    positions[s] = pos;
                    isWrite[s] = write;
                    preparedAt[s] = now;
                    if (write) {
                        if (verify) {
                            stamp(slotBuffers[s], pos);
                        }
                        if (segs > 1) {
                            q.prepareWritev(fd, slotSegments[s], segs, pos, s);
                        } else {
                            q.prepareWrite(fd, slotBuffers[s], pos, s);
                        }
                    } else if (segs > 1) {
                        q.prepareReadv(fd, slotSegments[s], segs, pos, s);
                    } else {
                        q.prepareRead(fd, slotBuffers[s], pos, s);
                    }
                    batch[prepared++] = s;
                    issued++;
                    if (q.staged() >= o.batchSubmit()) {
                        // --iodepth_batch_submit: fio's default of 1 submits each request on its own
                        long before = System.nanoTime();
                        q.submit();
                        r.ioSubmitCalls++;
                        for (int k = submittedUpTo; k < prepared; k++) {
                            submittedAt[batch[k]] = before;
                        }
                        submittedUpTo = prepared;
                    }
                }
                if (q.staged() > 0) {
                    long before = System.nanoTime();
                    q.submit(); // what EAGAIN leaves staged goes with the next round's io_submit
                    r.ioSubmitCalls++;
                    for (int k = submittedUpTo; k < prepared; k++) {
                        submittedAt[batch[k]] = before;
                    }
                }
                r.submitted += prepared;
                inFlight += prepared;
                if (inFlight == 0) {
                    break;
                }
                int n = q.reap(stop ? 1 : Math.min(o.batchCompleteMin(), inFlight), depth, 1_000_000_000L);
                r.ioGeteventsCalls++;
                long done = System.nanoTime();
                if (ramping && done >= rampEnd) {
                    ramping = false;
                    r.resetMeasurements();
                    start = done;
                }
                for (int k = 0; k < n; k++) {
                    int s = (int) q.tag(k);
                    long res = q.result(k);
                    boolean write = isWrite[s];
                    BenchResult.Direction d = write ? r.write : r.read;
                    r.completed++;
                    inFlight--;
                    if (res != request) {
                        r.errors++;
                        if (r.firstError == null) {
                            r.firstError = res < 0
                                    ? AioQueue.failure(res, write ? "write" : "read", request + " bytes at " + positions[s]
                                            + " of " + t.path()).getMessage()
                                    : "short " + (write ? "write" : "read") + ": " + res + " of " + request
                                            + " bytes at " + positions[s] + " of " + t.path();
                        }
                        stop = true;
                    } else {
                        d.ios++;
                        d.bytes += res;
                        d.record(done - submittedAt[s], done - preparedAt[s]);
                        if (!write && canVerify && verify) {
                            long bad = checkStamps(slotBuffers[s], positions[s], request);
                            if (bad >= 0) {
                                r.errors++;
                                r.verifyFailures++;
                                if (r.firstError == null) {
                                    r.firstError = String.format(Locale.ROOT,
                                            "verify: the sector at offset %d read back stamp %d", positions[s] + bad,
                                            slotBuffers[s].get(JAVA_LONG_UNALIGNED, bad));
                                }
                                stop = true;
                            } else {
                                r.verified++;
                            }
                        }
                    }
                    free[freeCount++] = s;
                }
                end = done;
                if (progress != null && done - lastProgress >= PROGRESS_INTERVAL) {
                    lastProgress = done;
                    printProgress(r, done - start);
                }
            }
            r.elapsedNanos = Math.max(1, end - start);
            if (progress != null) {
                progress.print("\r\033[K");
                progress.flush();
            }
        }
        return r;
    }

    private void printProgress(BenchResult r, long elapsed) {
        double secs = elapsed / 1e9;
        long ios = r.read.ios + r.write.ios;
        long bytes = r.read.bytes + r.write.bytes;
        String remaining = o.ios() > 0 ? Units.count(o.ios() - r.submitted) + " ios left"
                : String.format(Locale.ROOT, "eta %.0fs", Math.max(0, (o.runtimeNanos() - elapsed) / 1e9));
        progress.printf(Locale.ROOT, "\r\033[K[%5.1fs] %s IOPS=%s BW=%s, %s", secs, o.rw().fioName,
                Units.count(ios / secs), Units.rate(bytes / secs), remaining);
        progress.flush();
    }
}
