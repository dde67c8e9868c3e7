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
package dev.kaio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.Durability;
import dev.kaio.testing.BlockStat;
import dev.kaio.testing.Commands;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.ReliabilityLog;
import dev.kaio.testing.TestFiles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link Durability#syncDirectory}: a new or renamed name reaches the device only when its directory
 * is synced. On ext2 (no journal: nothing writes the directory block on its own for about 30 s, the
 * page cache's dirty_expire), on a loop device of the test's own, what the device received (its
 * backing file, read with {@code FileChannel}) is searched for the name: absent after the
 * file was created or renamed, present after the directory sync, which the device also counts as a
 * flush. (The file's own fsync is not used here: on this kernel ext2 is served by ext4's driver, which
 * syncs the parent directory of a newly created file on its fsync; fsync(2) does not promise that.)
 */
class DirectorySyncTest {

    @Test
    void aNewOrRenamedNameReachesTheDeviceOnlyWithADirectorySync() throws Exception {
        LoopDevice.assumeAvailable();
        assumeTrue(Files.isExecutable(Path.of("/sbin/mkfs.ext2")) || Files.isExecutable(Path.of("/usr/sbin/mkfs.ext2")),
                "mkfs.ext2 (e2fsprogs) is not installed");
        Path dir = TestFiles.newDirectory("dirsync");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("backing.img"), 16L << 20, 512)) {
            Commands.run(List.of("mkfs.ext2", "-q", "-F", loop.path().toString()));
            Commands.run(List.of("mount", "-t", "ext2", loop.path().toString(), mnt.toString()));
            try {
                BlockStat stat = BlockStat.of(loop.path());
                assumeTrue(stat.hasFlushCounters(), "this kernel's /sys/block/*/stat has no flush counters (Linux 5.5+)");
                assertEquals("write back", stat.restoreWriteCache(), "the loop device must report a write-back cache");
                Path sub = Files.createDirectories(mnt.resolve("d"));
                Durability.syncDirectory(mnt);
                Durability.syncDirectory(sub);

                // a created file: its name is not on the device until the directory is synced
                String created = unique("created");
                Path file = sub.resolve(created);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[4096]));
                }
                assertNotOnDevice(loop, created, "after creating the file");
                long flushes = stat.flushes();
                Durability.syncParentDirectory(file);
                long dirFlushes = stat.flushes() - flushes;
                assertOnDevice(loop, created, "after Durability.syncParentDirectory");
                assertTrue(dirFlushes >= 1, "the directory sync made no flush");

                // a rename: the new name reaches the device with the directory's sync
                String renamed = unique("renamed");
                Files.move(file, sub.resolve(renamed), StandardCopyOption.ATOMIC_MOVE);
                assertNotOnDevice(loop, renamed, "after the rename");
                Durability.syncDirectory(sub);
                assertOnDevice(loop, renamed, "after Durability.syncDirectory");
                ReliabilityLog.record("directory sync (ext2 on a loop device): a created file's name and a rename's "
                        + "new name reached the device with syncDirectory, not before; the sync made " + dirFlushes
                        + " flush(es)");
            } finally {
                Commands.run(List.of("umount", mnt.toString()));
            }
        }
    }

    @Test
    void errorsAreTheUsualNioExceptions() throws Exception {
        Path dir = TestFiles.newDirectory("dirsync-errors");
        Path file = Files.write(dir.resolve("f"), new byte[1]);
        assertThrows(NoSuchFileException.class, () -> Durability.syncDirectory(dir.resolve("missing")));
        assertThrows(NotDirectoryException.class, () -> Durability.syncDirectory(file));
        assertThrows(NullPointerException.class, () -> Durability.syncDirectory(null));
        Durability.syncDirectory(dir);
        Durability.syncParentDirectory(file);
        Durability.syncParentDirectory(Path.of("relative-name-in-the-working-directory"));
    }

    private static String unique(String what) {
        return "kaio-" + what + "-" + UUID.randomUUID();
    }

    private static void assertOnDevice(LoopDevice loop, String name, String when) throws Exception {
        assertTrue(deviceContains(loop, name), name + " is not on " + loop.path() + " " + when);
    }

    private static void assertNotOnDevice(LoopDevice loop, String name, String when) throws Exception {
        if (deviceContains(loop, name)) {
            // the premise: nothing wrote the directory meanwhile (a `sync` elsewhere on the machine would)
            fail(name + " is already on " + loop.path() + " " + when + ": the directory was written without a "
                    + "directory sync (did something run sync(1)?), so the test cannot attribute it");
        }
    }

    /**
     * Whether the loop device has received the name: searches its backing file, where the loop driver
     * puts every write the device gets. (Not the device node itself: an O_DIRECT read of the node first
     * writes back the dirty blocks that the mounted filesystem keeps in the device's page cache, which
     * is exactly what must not happen here.)
     */
    private static boolean deviceContains(LoopDevice loop, String name) throws Exception {
        byte[] needle = name.getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(loop.backingFile(), StandardOpenOption.READ)) {
            int chunk = 1 << 20;
            ByteBuffer buf = ByteBuffer.allocate(chunk);
            long size = ch.size();
            for (long pos = 0; pos < size; pos += chunk) {
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) > 0) {
                    // fill the chunk
                }
                // directory entries never straddle a 1 KiB block, so searching each chunk alone is enough
                if (indexOf(buf.array(), buf.position(), needle) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
