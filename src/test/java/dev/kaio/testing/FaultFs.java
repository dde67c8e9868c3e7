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

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running mount of the project's FUSE test filesystem ({@code src/test/c/faultfs.c}, compiled here
 * with gcc and libfuse3): one file, {@link #data()}, backed by a real file, that fails the requests
 * touching a byte range with EIO and, in lazy mode, keeps written data in the daemon's memory until an
 * fsync/fdatasync (or an O_DSYNC/O_SYNC write) reaches it; {@link #powerLoss()} kills the daemon, so
 * that the backing file keeps exactly what was made durable. Unmounted on close.
 */
public final class FaultFs implements AutoCloseable {

    private final Process process;
    private final Path mountPoint;
    private final Path backing;
    private boolean unmounted;

    private FaultFs(Process process, Path mountPoint, Path backing) {
        this.process = process;
        this.mountPoint = mountPoint;
        this.backing = backing;
    }

    /** Skips the calling test unless FUSE filesystems can be built and mounted here. */
    public static void assumeAvailable() {
        LoopDevice.assumeRoot("mounting a FUSE filesystem");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing: no FUSE in this kernel");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/fusermount3")), "fusermount3 (package fuse3) is not installed");
        assumeTrue(Files.exists(Path.of("/usr/include/fuse3/fuse.h")), "libfuse3-dev is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is not installed");
    }

    /**
     * Compiles faultfs into {@code dir} and mounts it at {@code dir/fuse} over {@code backing}.
     * Requests touching {@code [badOffset, badOffset + badLength)} fail with EIO (length 0: none).
     */
    public static FaultFs mount(Path dir, Path backing, long badOffset, long badLength, boolean lazy) throws Exception {
        assumeAvailable();
        Path exe = dir.resolve("faultfs");
        if (!Files.isExecutable(exe)) {
            Path source = Path.of("src/test/c/faultfs.c").toAbsolutePath();
            String flags = Commands.run(List.of("pkg-config", "--cflags", "--libs", "fuse3")).trim();
            List<String> cc = new ArrayList<>(List.of("gcc", "-Wall", "-Werror", "-o", exe.toString(), source.toString()));
            cc.addAll(List.of(flags.split("\\s+")));
            Commands.run(cc);
        }
        Path mnt = Files.createDirectories(dir.resolve("fuse"));
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        if (lazy) {
            cmd.add("--lazy");
        }
        cmd.addAll(List.of(backing.toString(), Long.toString(badOffset), Long.toString(badLength), mnt.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        FaultFs fs = new FaultFs(p, mnt, backing);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(fs.data())) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("faultfs did not mount: " + new String(p.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
        return fs;
    }

    /** The served file. */
    public Path data() {
        return mountPoint.resolve("data");
    }

    /** The real file behind {@link #data()}: in lazy mode, the "disk". */
    public Path backing() {
        return backing;
    }

    /** The daemon's counters (writes, dsync_writes, sync_writes, fsyncs, fdatasyncs, dirty_pages, eio). */
    public Map<String, Long> stats() throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(mountPoint.resolve("stats"))) {
            String[] kv = line.split(" ");
            out.put(kv[0], Long.parseLong(kv[1]));
        }
        return out;
    }

    /** One counter of {@link #stats()}. */
    public long stat(String name) throws IOException {
        Long v = stats().get(name);
        if (v == null) {
            throw new IllegalArgumentException("faultfs has no counter " + name);
        }
        return v;
    }

    /**
     * The simulated power loss: SIGKILL of the daemon, whose memory held everything not yet synced,
     * then a lazy unmount of the dead mount (requests still pending on it fail with ENOTCONN).
     */
    public void powerLoss() throws IOException, InterruptedException {
        process.destroyForcibly(); // SIGKILL: the daemon runs nothing more
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException("faultfs survived SIGKILL");
        }
        unmount(true);
    }

    private void unmount(boolean lazy) throws IOException, InterruptedException {
        if (!unmounted) {
            unmounted = true;
            List<String> cmd = lazy ? List.of("fusermount3", "-u", "-z", mountPoint.toString())
                    : List.of("fusermount3", "-u", mountPoint.toString());
            new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            unmount(false);
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            process.getInputStream().close();
            process.getOutputStream().close();
            process.getErrorStream().close();
        }
    }
}
