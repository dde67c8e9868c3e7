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
package dev.kaio.engine;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.DELETE_ON_CLOSE;
import static java.nio.file.StandardOpenOption.DSYNC;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.SPARSE;
import static java.nio.file.StandardOpenOption.SYNC;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.AioException;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectIoAlignment;
import dev.kaio.Errno;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.sys.ArchConstants;
import dev.kaio.internal.sys.FileStat;
import dev.kaio.internal.sys.NativeResources;
import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * Opening files with open(2): each option is checked in the flags the kernel shows for the descriptor
 * (/proc/self/fdinfo), each open error is the NIO exception the JDK would throw, and the O_DIRECT
 * alignment says where it came from.
 */
class RawFileTest {

    /** The open flags of {@code fd} as the kernel reports them. */
    private static int flags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no flags for fd " + fd);
    }

    private static int flagsOf(Path path, OpenOption... options) throws IOException {
        try (RawFile f = RawFile.open(path, options)) {
            return flags(f.fd());
        }
    }

    @Test
    void eachOptionIsTheOpenFlagTheKernelShows() throws Exception {
        Path dir = TestFiles.newDirectory("rawflags");
        Path p = dir.resolve("f");
        Files.write(p, new byte[100]);
        int accmode = 3;
        assertEquals(LinuxH.O_RDONLY(), flagsOf(p) & accmode, "neither READ nor WRITE: read-only");
        assertEquals(LinuxH.O_RDONLY(), flagsOf(p, READ) & accmode);
        assertEquals(LinuxH.O_WRONLY(), flagsOf(p, WRITE) & accmode);
        assertEquals(LinuxH.O_RDWR(), flagsOf(p, READ, WRITE) & accmode);
        assertEquals(LinuxH.O_WRONLY(), flagsOf(p, APPEND) & accmode, "APPEND implies WRITE");
        int all = flagsOf(p, READ, WRITE);
        assertTrue((all & LinuxH.O_CLOEXEC()) != 0, "always O_CLOEXEC");
        for (int f : new int[] {LinuxH.O_APPEND(), LinuxH.O_DSYNC(), ArchConstants.O_DIRECT, LinuxH.O_NOATIME()}) {
            assertEquals(0, all & f, "not asked for: 0" + Integer.toOctalString(f));
        }
        assertTrue((flagsOf(p, APPEND) & LinuxH.O_APPEND()) != 0);
        assertEquals(LinuxH.O_DSYNC(), flagsOf(p, WRITE, DSYNC) & LinuxH.O_SYNC(), "O_DSYNC alone");
        assertEquals(LinuxH.O_SYNC(), flagsOf(p, WRITE, SYNC) & LinuxH.O_SYNC(), "O_SYNC includes the O_DSYNC bit");
        assertTrue((flagsOf(p, READ, AioOpenOption.DIRECT) & ArchConstants.O_DIRECT) != 0);
        assertTrue((flagsOf(p, READ, com.sun.nio.file.ExtendedOpenOption.DIRECT) & ArchConstants.O_DIRECT) != 0,
                "the JDK's ExtendedOpenOption.DIRECT too");
        assertTrue((flagsOf(p, READ, AioOpenOption.NOATIME) & LinuxH.O_NOATIME()) != 0);
        assertEquals(100, Files.size(p), "nothing truncated so far");
        assertEquals(LinuxH.O_RDWR(), flagsOf(p, READ, WRITE, SPARSE) & accmode, "SPARSE is a hint");

        // CREATE, CREATE_NEW and TRUNCATE_EXISTING apply to files opened for writing only
        Path fresh = dir.resolve("fresh");
        assertThrows(NoSuchFileException.class, () -> RawFile.open(fresh, READ, CREATE));
        assertThrows(NoSuchFileException.class, () -> RawFile.open(fresh, WRITE));
        RawFile.open(fresh, WRITE, CREATE).close();
        assertTrue(Files.exists(fresh));
        assertThrows(FileAlreadyExistsException.class, () -> RawFile.open(fresh, WRITE, CREATE_NEW));
        RawFile.open(p, READ, TRUNCATE_EXISTING).close();
        assertEquals(100, Files.size(p), "not for reading");
        RawFile.open(p, WRITE, TRUNCATE_EXISTING).close();
        assertEquals(0, Files.size(p));
        Path created = dir.resolve("created");
        RawFile.open(created, WRITE, CREATE, CREATE_NEW).close();
        assertTrue(Files.exists(created), "CREATE_NEW wins over CREATE");

        // NOFOLLOW_LINKS, and CREATE_NEW, refuse a symbolic link
        Path link = Files.createSymbolicLink(dir.resolve("link"), p);
        assertEquals(LinuxH.O_RDONLY(), flagsOf(link, READ) & accmode, "a link is followed");
        AioException loop = assertThrows(AioException.class, () -> RawFile.open(link, READ, LinkOption.NOFOLLOW_LINKS));
        assertEquals("ELOOP", loop.errnoName());
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        assertThrows(IOException.class, () -> RawFile.open(dangling, WRITE, CREATE_NEW));
        assertFalse(Files.exists(dir.resolve("nowhere")), "CREATE_NEW did not create through the link");
    }

    @Test
    void modesDeleteOnCloseAndInvalidCombinations() throws Exception {
        Path dir = TestFiles.newDirectory("rawmode");
        Path p = dir.resolve("f");
        RawFile.open(p, 0640, WRITE, CREATE).close();
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        Path all = dir.resolve("all");
        RawFile.open(all, 07777, WRITE, CREATE).close(); // the umask applies; no error for the top bits
        assertThrows(IllegalArgumentException.class, () -> RawFile.open(p, 010000, WRITE));
        assertThrows(IllegalArgumentException.class, () -> RawFile.open(p, -1, WRITE));
        assertThrows(IllegalArgumentException.class, () -> RawFile.open(p, READ, APPEND));
        assertThrows(IllegalArgumentException.class, () -> RawFile.open(p, APPEND, TRUNCATE_EXISTING));
        assertThrows(NullPointerException.class, () -> RawFile.open(null, READ));
        assertThrows(NullPointerException.class, () -> RawFile.open(p, (OpenOption) null));
        assertThrows(NullPointerException.class, () -> RawFile.open(p, (OpenOption[]) null));
        assertThrows(UnsupportedOperationException.class, () -> RawFile.open(p, new OpenOption() {}));

        int descriptors = NativeResources.descriptors();
        Path temp = dir.resolve("temp");
        RawFile t = RawFile.open(temp, READ, WRITE, CREATE_NEW, DELETE_ON_CLOSE);
        assertEquals(descriptors + 1, NativeResources.descriptors());
        assertTrue(Files.exists(temp));
        t.close();
        assertFalse(Files.exists(temp), "deleted on close");
        t.close();
        assertEquals(descriptors, NativeResources.descriptors(), "closed once");
        assertTrue(t.isClosed());
        assertThrows(ClosedChannelException.class, t::size);
        assertThrows(ClosedChannelException.class, () -> t.truncate(0));
        RawFile kept = RawFile.open(p, READ);
        kept.close();
        assertTrue(Files.exists(p), "not deleted without DELETE_ON_CLOSE");
    }

    @Test
    void openErrorsAreTheJdksExceptions() throws Exception {
        Path dir = TestFiles.newDirectory("rawerr");
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> RawFile.open(dir.resolve("m")));
        assertEquals(dir.resolve("m").toString(), missing.getFile());
        assertEquals("ENOENT (No such file or directory)", missing.getReason());
        Files.write(dir.resolve("e"), new byte[1]);
        FileAlreadyExistsException exists = assertThrows(FileAlreadyExistsException.class,
                () -> RawFile.open(dir.resolve("e"), WRITE, CREATE_NEW));
        assertEquals("EEXIST (File exists)", exists.getReason());
        // a read-only sysctl refuses writing even to root (the kernel's sysctl permission check)
        AccessDeniedException denied = assertThrows(AccessDeniedException.class,
                () -> RawFile.open(Path.of("/proc/sys/kernel/osrelease"), WRITE));
        assertEquals("EACCES (Permission denied)", denied.getReason());
        AioException isDir = assertThrows(AioException.class, () -> RawFile.open(dir, WRITE));
        assertEquals(Errno.EISDIR, isDir.errno());
        assertEquals("open: EISDIR (Is a directory): " + dir + " is a directory", isDir.getMessage());
        AioException readDir = assertThrows(AioException.class, () -> RawFile.open(dir, READ));
        assertEquals(Errno.EISDIR, readDir.errno(), "opened, then refused");
        AioException noDirect = assertThrows(AioException.class,
                () -> RawFile.open(Path.of("/proc/self/status"), READ, AioOpenOption.DIRECT));
        assertEquals(Errno.EINVAL, noDirect.errno());
        assertEquals("open: EINVAL (Invalid argument): /proc/self/status: the filesystem does not support O_DIRECT",
                noDirect.getMessage());
        AioException notDir = assertThrows(AioException.class, () -> RawFile.open(dir.resolve("e/x"), READ));
        assertEquals(Errno.ENOTDIR, notDir.errno());
        assertEquals("open: ENOTDIR (Not a directory): " + dir.resolve("e/x"), notDir.getMessage());
    }

    @Test
    void alignmentSaysWhereItCameFrom() throws Exception {
        Path dir = TestFiles.newDirectory("rawalign");
        Path p = dir.resolve("f");
        Files.write(p, new byte[8192]);
        try (RawFile buffered = RawFile.open(p, READ)) {
            assertEquals(new DirectIoAlignment(1, 1, "buffered"), buffered.alignmentInfo());
            assertEquals(1, buffered.alignment());
            assertFalse(buffered.isDirect());
            assertTrue(buffered.isReadable());
            assertFalse(buffered.isWritable());
            assertFalse(buffered.isBlockDevice());
            assertEquals(p, buffered.path());
            assertEquals("RawFile[" + p + ", fd=" + buffered.fd() + "]", buffered.toString());
        }
        try (RawFile direct = RawFile.open(p, READ, WRITE, AioOpenOption.DIRECT)) {
            FileStat s = FileStat.of(direct.fd(), "f");
            assertTrue(direct.isDirect());
            assertTrue(direct.isWritable());
            if (s.hasDioAlign()) {
                assertEquals(new DirectIoAlignment(s.dioMemAlign(), s.dioOffsetAlign(), "statx(STATX_DIOALIGN)"),
                        direct.alignmentInfo());
            }
            assertEquals(Math.max(direct.alignmentInfo().memory(), direct.alignmentInfo().offset()), direct.alignment());
            assertEquals("RawFile[" + p + ", fd=" + direct.fd() + ", O_DIRECT, alignment=" + direct.alignment() + "]",
                    direct.toString());
            assertEquals(s.devMajor() + ":" + s.devMinor() + ":" + s.inode(), direct.fileKey());
            direct.truncate(4096);
            assertEquals(4096, direct.size());
            assertEquals(4096, Files.size(p));
            assertThrows(IllegalArgumentException.class, () -> direct.truncate(-1));
            direct.close();
            assertTrue(direct.toString().endsWith(", closed]"), direct.toString());
        }
        // tmpfs reports no STATX_DIOALIGN and has no block device: the conservative fallback
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && TestFiles.filesystemType(shm).equals("tmpfs")) {
            Path t = Files.createTempFile(shm, "kaio-align", ".tmp");
            try (RawFile f = RawFile.open(t, READ, AioOpenOption.DIRECT)) {
                assertEquals(new DirectIoAlignment(RawFile.FALLBACK_ALIGNMENT, RawFile.FALLBACK_ALIGNMENT, "fallback"),
                        f.alignmentInfo());
            } finally {
                Files.deleteIfExists(t);
            }
        }
        // a read-only file refuses ftruncate with its errno
        try (RawFile ro = RawFile.open(p, READ)) {
            AioException e = assertThrows(AioException.class, () -> ro.truncate(0));
            assertTrue(e.errno() == Errno.EINVAL || e.errno() == Errno.EBADF, e.getMessage());
            assertEquals("ftruncate", e.operation());
            assertTrue(e.getMessage().endsWith(p + " to 0 bytes"), e.getMessage());
            assertInstanceOf(IOException.class, e);
        }
    }

    /** An open file says so; a closed one says so and refuses preallocate with ClosedChannelException, not EBADF. */
    @Test
    void aClosedFileSaysSoAndRefusesPreallocate() throws Exception {
        Path p = TestFiles.newDirectory("rawclosed").resolve("f");
        RawFile f = RawFile.open(p, READ, WRITE, CREATE);
        assertFalse(f.isClosed());
        f.preallocate(0, 4096);
        assertEquals(4096, Files.size(p));
        f.close();
        assertTrue(f.isClosed());
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> f.preallocate(0, 8192));
    }
}
