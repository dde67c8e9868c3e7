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
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The type and device numbers of a path, from stat(2) through the JDK's "unix" attribute view, and
 * the block-queue attributes of a device from sysfs. The tool has only the library's public API, and
 * the library does not publish its statx binding; the JDK answers what doctor needs.
 *
 * @param mode      st_mode (type and permission bits)
 * @param devMajor  major number of the device holding the path
 * @param devMinor  minor number of the device holding the path
 * @param rdevMajor for a device node: its major number
 * @param rdevMinor for a device node: its minor number
 */
record PathStat(int mode, int devMajor, int devMinor, int rdevMajor, int rdevMinor) {

    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFREG = 0100000;

    static PathStat of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:mode,dev,rdev");
        long dev = (Long) a.get("dev");
        long rdev = (Long) a.get("rdev");
        return new PathStat((Integer) a.get("mode"), major(dev), minor(dev), major(rdev), minor(rdev));
    }

    /** glibc's gnu_dev_major: the encoding of dev_t in st_dev and st_rdev. */
    static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    /** glibc's gnu_dev_minor. */
    static int minor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }

    boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    boolean isBlockDevice() {
        return (mode & S_IFMT) == S_IFBLK;
    }

    boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /**
     * An integer attribute of the request queue of block device {@code major:minor} (e.g.
     * {@code logical_block_size}), or -1 if sysfs does not give it. A partition has no queue/ of its
     * own: its parent (the whole disk) does.
     */
    static int blockQueueInt(int major, int minor, String name) {
        Path dev = Path.of("/sys/dev/block/" + major + ":" + minor);
        for (Path p : new Path[] {dev.resolve("queue").resolve(name), dev.resolve("../queue").resolve(name)}) {
            // one read of up to 64 bytes: a size-0 sysfs file read byte by byte may answer EOF early
            try (InputStream in = Files.newInputStream(p)) {
                return Integer.parseInt(new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim());
            } catch (IOException | NumberFormatException e) {
                // try the next candidate
            }
        }
        return -1;
    }
}
