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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loop block device over a backing file, attached with {@code losetup} and detached on close.
 * Tests that need one skip (never pass) when this process cannot attach loop devices.
 */
public final class LoopDevice implements AutoCloseable {

    private final Path device;
    private final Path backing;
    private boolean detached;

    private LoopDevice(Path device, Path backing) {
        this.device = device;
        this.backing = backing;
    }

    /** Skips the calling test unless loop devices can be attached here (root and losetup). */
    public static void assumeAvailable() {
        assumeTrue(isRoot(), "attaching a loop device needs root (CAP_SYS_ADMIN); this test runs as uid "
                + uid());
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/losetup")) || Files.isExecutable(Path.of("/sbin/losetup")),
                "losetup (util-linux) is not installed");
        assumeTrue(Files.exists(Path.of("/dev/loop-control")), "/dev/loop-control is missing: no loop driver");
        assumeTrue(utilLinuxLosetup(), "losetup is not util-linux's (busybox's lacks --sector-size and --show)");
    }

    /** Skips the calling test unless it runs as root, naming what needs it. */
    public static void assumeRoot(String what) {
        assumeTrue(isRoot(), what + " needs root; this test runs as uid " + uid());
    }

    private static Boolean utilLinux;

    private static synchronized boolean utilLinuxLosetup() {
        if (utilLinux == null) {
            try {
                utilLinux = Commands.run(List.of("losetup", "--version")).contains("util-linux");
            } catch (IOException | InterruptedException e) {
                utilLinux = false;
            }
        }
        return utilLinux;
    }

    /**
     * Creates a {@code sizeBytes} backing file and attaches it with the given logical sector size
     * (512 or 4096), with direct I/O from the loop driver to the backing file.
     */
    public static LoopDevice attach(Path backing, long sizeBytes, int sectorSize) throws IOException, InterruptedException {
        assumeAvailable();
        try (var ch = java.nio.channels.FileChannel.open(backing, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.allocate(1), sizeBytes - 1);
        }
        List<String> cmd = new ArrayList<>(List.of("losetup", "-f", "--show", "--sector-size", String.valueOf(sectorSize)));
        cmd.add(backing.toString());
        String out = Commands.run(cmd).trim();
        return new LoopDevice(Path.of(out), backing);
    }

    public Path path() {
        return device;
    }

    public Path backingFile() {
        return backing;
    }

    /** Detaches the device (idempotent). */
    @Override
    public void close() throws IOException {
        if (!detached) {
            detached = true;
            try {
                Commands.run(List.of("losetup", "-d", device.toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    public static boolean isRoot() {
        return "0".equals(uid());
    }

    static String uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1];
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "?";
    }
}
