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
package dev.kaio.harness;

/**
 * What each cell of the support matrix must be, written from the kernel's documented behaviour, so
 * that a regression fails the harness instead of only changing a README cell. Every cell is "works"
 * (the operation completed and the bytes were verified through FileChannel) except where a comment
 * below says why the kernel answers otherwise:
 * <ul>
 * <li>ext2, ext3, ext4, xfs, btrfs: buffered and O_DIRECT reads and writes through AIO since 2.6;
 * IOCB_CMD_PREADV/PWRITEV since 2.6.19, up to UIO_MAXIOV (1024) segments.
 * <li>IOCB_CMD_FSYNC/FDSYNC: generic for every file with an fsync method since 4.18 (before, only
 * filesystems with an aio_fsync method took them: EINVAL elsewhere).
 * <li>tmpfs with O_DIRECT: open(2) fails with EINVAL before 6.6 (tmpfs had no direct_IO); since 6.6
 * tmpfs accepts O_DIRECT and serves it from the page cache.
 * <li>NFS v3/v4.2 and block devices: O_DIRECT and buffered both supported; the same operations work.
 * </ul>
 */
final class MatrixExpectations {

    private MatrixExpectations() {}

    /** The outcome the kernel {@code release} (uname -r) must give for {@code op} on {@code fs} in {@code mode}. */
    static String expected(String fs, String mode, String op, String release) {
        if (fs.equals("tmpfs") && mode.equals("O_DIRECT") && !atLeast(release, 6, 6)) {
            return "open: EINVAL"; // tmpfs gained O_DIRECT in 6.6 (shmem: "trivial support for direct IO")
        }
        if ((op.equals("fsync") || op.equals("fdatasync")) && !atLeast(release, 4, 18)) {
            return "EINVAL"; // generic IOCB_CMD_FSYNC/FDSYNC arrived in 4.18
        }
        return "works";
    }

    /** The running kernel's release, as /proc/sys/kernel/osrelease says. */
    static String runningKernel() {
        return dev.kaio.Aio.features().kernelRelease();
    }

    static boolean atLeast(String release, int major, int minor) {
        String[] v = release.split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = Integer.parseInt(v[1]);
        return ma > major || (ma == major && mi >= minor);
    }
}
