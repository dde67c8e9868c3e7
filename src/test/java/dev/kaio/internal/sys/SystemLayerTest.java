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
package dev.kaio.internal.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.AioException;
import dev.kaio.Errno;
import dev.kaio.engine.RawFile;
import dev.kaio.internal.core.Request;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.timespec;
import dev.kaio.testing.AioNr;
import dev.kaio.testing.Fds;
import dev.kaio.testing.LoopDevice;
import dev.kaio.testing.ProcessResources;
import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The system-call layer against the kernel's own answers: /proc and /sys, stat as the JDK reports it,
 * the ring header io_setup maps, eventfd flags in /proc/self/fdinfo, and the errno each system call
 * gives for a bad argument.
 */
class SystemLayerTest {

    // ------------------------------------------------------------------ sysctls, /proc and /sys files

    @Test
    void theSysctlsAreReadAsTheKernelServesThem() throws Exception {
        assertEquals(AioNr.aioMaxNr(), AioSysctl.maxNr());
        long nr = AioSysctl.nr();
        assertTrue(nr >= 0, "aio-nr " + nr); // other processes move it: only its form is checked here
        long ctx = KernelContexts.setup(64);
        try {
            long held = AioSysctl.nr();
            assertTrue(held >= 64, "aio-nr is " + held + " while this test holds a context of 64 events");
        } finally {
            KernelContexts.destroy(ctx);
        }
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(), KernelProbe.kernelRelease());
        // a sysctl answers EOF to a read not at offset 0: the whole value, trimmed, from one read
        assertEquals(String.valueOf(AioNr.aioMaxNr()), KernelFiles.read(Path.of("/proc/sys/fs/aio-max-nr")));
        assertThrows(IOException.class, () -> KernelFiles.read(Path.of("/proc/sys/fs/no-such-sysctl")));
    }

    @Test
    void theExhaustedMessageGivesTheNumbersAndALargerLimit() {
        assertEquals("/proc/sys/fs/aio-max-nr is exhausted: this context needs 32 more, aio-nr is 8 of aio-max-nr 18"
                + " (10 free); close unused contexts or raise the limit, e.g. sysctl -w fs.aio-max-nr=1048576",
                AioSysctl.exhaustedMessage(32, 18, 8));
        assertTrue(AioSysctl.exhaustedMessage(1, 18, 20).contains("aio-nr is 20 of aio-max-nr 18 (0 free)"),
                "never a negative number free");
        assertTrue(AioSysctl.exhaustedMessage(1, 1_000_000, 1_000_000).endsWith("fs.aio-max-nr=2000000"),
                "twice the limit when that is more than 1048576");
        assertTrue(AioSysctl.exhaustedMessage(1, 524_288, 0).endsWith("fs.aio-max-nr=1048576"),
                "1048576 when twice the limit is exactly that");
        String unreadable = AioSysctl.exhaustedMessage(4, -1, 7);
        assertTrue(unreadable.contains("aio-nr is 7 of aio-max-nr -1;"), unreadable);
        assertTrue(AioSysctl.exhaustedMessage(4, 100, -1).contains("aio-nr is -1 of aio-max-nr 100;"));
        assertTrue(AioSysctl.exhaustedMessage(4, 0, 0).contains("aio-nr is 0 of aio-max-nr 0 (0 free)"));
        String live = AioSysctl.exhaustedMessage(16);
        Matcher m = Pattern.compile("needs 16 more, aio-nr is (\\d+) of aio-max-nr (\\d+) \\((\\d+) free\\)").matcher(live);
        assertTrue(m.find(), live);
        assertEquals(AioNr.aioMaxNr(), Long.parseLong(m.group(2)));
    }

    @Test
    void blockQueueAttributesComeFromSysfs() throws Exception {
        Path dir = TestFiles.newDirectory("sysfs");
        FileStat stat = FileStat.ofPath(dir);
        Path queue = Path.of("/sys/dev/block/" + stat.devMajor() + ":" + stat.devMinor());
        Path own = queue.resolve("queue/logical_block_size");
        Path parent = queue.resolve("../queue/logical_block_size");
        assumeTrue(Files.isReadable(own) || Files.isReadable(parent),
                "the test directory's device " + stat.devMajor() + ":" + stat.devMinor() + " has no queue in sysfs");
        int expected = Integer.parseInt(Files.readString(Files.isReadable(own) ? own : parent).trim());
        assertEquals(expected, KernelFiles.blockQueueInt(stat.devMajor(), stat.devMinor(), "logical_block_size"));
        assertEquals(-1, KernelFiles.blockQueueInt(stat.devMajor(), stat.devMinor(), "no_such_attribute"));
        assertEquals(-1, KernelFiles.blockQueueInt(stat.devMajor(), stat.devMinor(), "scheduler"), "not a number");
        assertEquals(-1, KernelFiles.blockQueueInt(0, 0, "logical_block_size"), "no such device");
        // a partition's queue is its disk's
        Path partition;
        try (Stream<Path> blocks = Files.list(Path.of("/sys/class/block"))) {
            partition = blocks.filter(p -> Files.exists(p.resolve("partition"))).findFirst().orElse(null);
        }
        if (partition != null) {
            String[] dev = Files.readString(partition.resolve("dev")).trim().split(":");
            int fromDisk = Integer.parseInt(Files.readString(partition.resolve("../queue/logical_block_size")).trim());
            assertEquals(fromDisk, KernelFiles.blockQueueInt(Integer.parseInt(dev[0]), Integer.parseInt(dev[1]),
                    "logical_block_size"), partition.toString());
        }
    }

    @Test
    void kernelReleasesCompareByMajorThenMinor() {
        assertTrue(KernelProbe.atLeast("4.18.0-553.el8", 4, 18));
        assertTrue(KernelProbe.atLeast("4.19", 4, 18));
        assertTrue(KernelProbe.atLeast("5.0.0", 4, 18));
        assertTrue(KernelProbe.atLeast("6.18.44-fc-v669", 6, 1));
        assertFalse(KernelProbe.atLeast("4.17.19", 4, 18));
        assertFalse(KernelProbe.atLeast("3.99", 4, 18));
        assertFalse(KernelProbe.atLeast("6-rc1", 6, 1), "no minor number");
        assertFalse(KernelProbe.atLeast("linux", 4, 18));
    }

    // ------------------------------------------------------------------ the kernel probe

    @Test
    void theProbeReportsWhatItTriedWhereItRan() throws Exception {
        Path dir = TestFiles.newDirectory("probe");
        FileStat stat = FileStat.ofPath(dir);
        KernelProbe.Result r = KernelProbe.run(dir);
        assertEquals(KernelProbe.kernelRelease(), r.kernelRelease());
        assertEquals(new KernelProbe.Outcome(true, "completed with 0"), r.fsync());
        assertEquals(new KernelProbe.Outcome(true, "completed with 0"), r.fdsync());
        assertEquals(new KernelProbe.Outcome(true, "POLLIN on a signalled eventfd completed"), r.poll());
        assertEquals(new KernelProbe.Outcome(true, "a RWF_NOWAIT read of a pipe completed with 1"), r.nowait());
        if (stat.hasDioAlign()) {
            assertEquals(new KernelProbe.Outcome(true, "statx answered STATX_DIOALIGN (mem " + stat.dioMemAlign()
                    + ", offset " + stat.dioOffsetAlign() + " on " + dir + ")"), r.dioalign());
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the probe's scratch file is deleted");
        }

        // a directory that cannot hold the scratch file: the probes that need it say why they did not run
        Path missing = dir.resolve("missing");
        KernelProbe.Result failed = KernelProbe.run(missing);
        assertFalse(failed.fsync().supported());
        assertTrue(failed.fsync().detail().startsWith("probe failed: "), failed.fsync().detail());
        assertTrue(failed.fsync().detail().contains(missing.toString()), failed.fsync().detail());
        assertEquals(failed.fsync(), failed.fdsync());
        assertEquals(failed.fsync(), failed.nowait());
        assertEquals(failed.fsync(), failed.dioalign());
        assertTrue(failed.poll().supported(), "the poll probe needs no file");

        // on tmpfs (no STATX_DIOALIGN) the probe looks at the working directory and /var/tmp
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && TestFiles.filesystemType(shm).equals("tmpfs")
                && FileStat.ofPath(Path.of("").toAbsolutePath()).hasDioAlign()) {
            assertEquals(new KernelProbe.Outcome(true, "statx answered STATX_DIOALIGN on "
                    + Path.of("").toAbsolutePath()), KernelProbe.run(shm).dioalign());
        }
        assertTrue(KernelFeatures.poll());
    }

    // ------------------------------------------------------------------ statx and block-device ioctls

    @Test
    void statxAgreesWithWhatTheJdkReports() throws Exception {
        Path dir = TestFiles.newDirectory("statx");
        Path file = dir.resolve("f");
        Files.write(file, new byte[12345]);
        try (RawFile raw = RawFile.open(file, StandardOpenOption.READ)) {
            FileStat s = FileStat.of(raw.fd(), file.toString());
            assertEquals(12345, s.size());
            assertEquals(((Number) Files.getAttribute(file, "unix:ino")).longValue(), s.inode());
            assertEquals(((Number) Files.getAttribute(file, "unix:mode")).intValue(), s.mode());
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            assertEquals(devMajor(dev), s.devMajor());
            assertEquals(devMinor(dev), s.devMinor());
            assertTrue(s.isRegularFile());
            assertFalse(s.isDirectory());
            assertFalse(s.isBlockDevice());
            assertTrue(s.blockSize() > 0);
            assertEquals((s.mask() & FileStat.STATX_DIOALIGN) != 0 && s.dioMemAlign() > 0 && s.dioOffsetAlign() > 0,
                    s.hasDioAlign());
            AioException notADevice = assertThrows(AioException.class, () -> FileStat.logicalBlockSize(raw.fd(), "f"));
            assertEquals(Errno.ENOTTY, notADevice.errno());
            assertEquals("ioctl(BLKSSZGET)", notADevice.operation());
            assertEquals("ioctl(BLKGETSIZE64)",
                    assertThrows(AioException.class, () -> FileStat.blockDeviceSize(raw.fd(), "f")).operation());
            assertEquals("ioctl(BLKPBSZGET)",
                    assertThrows(AioException.class, () -> FileStat.physicalBlockSize(raw.fd(), "f")).operation());
        }
        FileStat d = FileStat.ofPath(dir);
        assertTrue(d.isDirectory());
        assertFalse(d.isRegularFile());
        AioException missing = assertThrows(AioException.class, () -> FileStat.ofPath(dir.resolve("missing")));
        assertEquals(Errno.ENOENT, missing.errno());
        assertEquals("statx", missing.operation());
        assertTrue(missing.getMessage().endsWith(dir.resolve("missing").toString()), missing.getMessage());
        // the DIOALIGN bit: with O_DIRECT support both alignments are given
        FileStat noDio = new FileStat(0, 0, 0, 0, 0, 0, 0, 0, 512, 512, 0);
        assertFalse(noDio.hasDioAlign(), "not in the mask");
        assertFalse(new FileStat(FileStat.STATX_DIOALIGN, 0, 0, 0, 0, 0, 0, 0, 0, 512, 0).hasDioAlign());
        assertFalse(new FileStat(FileStat.STATX_DIOALIGN, 0, 0, 0, 0, 0, 0, 0, 512, 0, 0).hasDioAlign());
        assertTrue(new FileStat(FileStat.STATX_DIOALIGN, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0).hasDioAlign());
    }

    @Test
    void aBlockDeviceIsSeenAsOneWithTheSizesSysfsGives() throws Exception {
        // A loop device of its own, with 4096-byte sectors (so the logical size is not the default 512):
        // the machine's own disks may be off limits even to root (a sandbox refuses to open /dev/vda: EPERM).
        Path dir = TestFiles.newDirectory("blockdev");
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("backing.img"), 8L << 20, 4096);
                RawFile raw = RawFile.open(loop.path(), StandardOpenOption.READ)) {
            Path node = loop.path();
            Path block = Path.of("/sys/class/block", node.getFileName().toString());
            FileStat s = FileStat.of(raw.fd(), node.toString());
            assertTrue(s.isBlockDevice());
            assertFalse(s.isRegularFile());
            String[] dev = Files.readString(block.resolve("dev")).trim().split(":");
            assertEquals(Integer.parseInt(dev[0]), s.rdevMajor());
            assertEquals(Integer.parseInt(dev[1]), s.rdevMinor());
            assertEquals(8L << 20, FileStat.blockDeviceSize(raw.fd(), node.toString()));
            assertEquals(Long.parseLong(Files.readString(block.resolve("size")).trim()) * 512,
                    FileStat.blockDeviceSize(raw.fd(), node.toString()));
            assertEquals(4096, FileStat.logicalBlockSize(raw.fd(), node.toString()));
            assertEquals(Integer.parseInt(Files.readString(block.resolve("queue/logical_block_size")).trim()),
                    FileStat.logicalBlockSize(raw.fd(), node.toString()));
            assertEquals(Integer.parseInt(Files.readString(block.resolve("queue/physical_block_size")).trim()),
                    FileStat.physicalBlockSize(raw.fd(), node.toString()));
            assertTrue(raw.isBlockDevice());
            assertEquals(FileStat.blockDeviceSize(raw.fd(), node.toString()), raw.size());
        }
    }

    private static int devMajor(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    private static int devMinor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }

    // ------------------------------------------------------------------ eventfds

    @Test
    void anEventFdCountsSignalsAndIsClosedOnce() throws Exception {
        int before = NativeResources.descriptors();
        EventFd nonBlocking = new EventFd(true);
        EventFd blocking = new EventFd(false);
        try {
            assertEquals(before + 2, NativeResources.descriptors());
            assertEquals("anon_inode:[eventfd]", Files.readSymbolicLink(Path.of("/proc/self/fd/" + nonBlocking.fd()))
                    .toString());
            int o_nonblock = LinuxH.O_NONBLOCK();
            int o_cloexec = LinuxH.O_CLOEXEC();
            assertEquals(o_nonblock | o_cloexec, fdFlags(nonBlocking.fd()) & (o_nonblock | o_cloexec));
            assertEquals(o_cloexec, fdFlags(blocking.fd()) & (o_nonblock | o_cloexec));
            nonBlocking.signal(3);
            nonBlocking.signal(4);
            assertEquals(7, Fds.readEventFd(nonBlocking.fd()), "the counter sums the signals");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(JAVA_LONG);
                assertEquals(-Errno.EAGAIN, Libc.read(Libc.errnoState(a), nonBlocking.fd(), buf.address(), 8),
                        "a read of a zero counter would block");
            }
        } finally {
            nonBlocking.close();
            blocking.close();
        }
        nonBlocking.close();
        assertEquals(before, NativeResources.descriptors(), "closed once each");
        AioException closed = assertThrows(AioException.class, () -> nonBlocking.signal(1));
        assertEquals(Errno.EBADF, closed.errno());
    }

    private static int fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no flags in fdinfo of " + fd);
    }

    // ------------------------------------------------------------------ system calls and their errors

    @Test
    void timeoutsAreWrittenAsSecondsAndNanoseconds() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = timespec.allocate(a);
            assertEquals(ts.address(), Syscalls.timeout(ts, 2_500_000_123L));
            assertEquals(2, timespec.tv_sec(ts));
            assertEquals(500_000_123L, timespec.tv_nsec(ts));
            Syscalls.timeout(ts, 999_999_999L);
            assertEquals(0, timespec.tv_sec(ts));
            assertEquals(999_999_999L, timespec.tv_nsec(ts));
        }
    }

    @Test
    void contextsAreCountedAndBadOnesRefusedWithTheirErrno() throws Exception {
        int before = NativeResources.contexts();
        long ctx = KernelContexts.setup(4);
        assertEquals(before + 1, NativeResources.contexts());
        assertTrue(ProcessResources.aioRings().size() > 0);
        KernelContexts.destroy(ctx);
        assertEquals(before, NativeResources.contexts());

        AioException zero = assertThrows(AioException.class, () -> KernelContexts.setup(0));
        assertEquals(Errno.EINVAL, zero.errno());
        assertEquals("io_setup: EINVAL (Invalid argument): nr_events=0", zero.getMessage());
        AioException twice = assertThrows(AioException.class, () -> KernelContexts.destroy(ctx));
        assertEquals(Errno.EINVAL, twice.errno());
        assertEquals("io_destroy: EINVAL (Invalid argument): context 0x" + Long.toHexString(ctx), twice.getMessage());
        assertEquals(before, NativeResources.contexts(), "a failed call counts nothing");
        assertTrue(KernelContexts.MAX_EVENTS > 0);
    }

    @Test
    void libcAnswersWithMinusErrno() throws Exception {
        assertEquals("EINVAL", Libc.strerrorname(Errno.EINVAL));
        assertEquals("Invalid argument", Libc.strerrordesc(Errno.EINVAL));
        assertNull(Libc.strerrorname(100_000));
        assertEquals(-Errno.EBADF, Libc.posixFadvise(-1, 0, 0, 4));
        Path f = TestFiles.newDirectory("libc").resolve("f");
        Files.write(f, new byte[8192]);
        try (RawFile raw = RawFile.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE); Arena a = Arena.ofConfined()) {
            assertEquals(0, Libc.posixFadvise(raw.fd(), 0, 0, 4));
            assertEquals(0, Libc.ftruncate(Libc.errnoState(a), raw.fd(), 100));
            assertEquals(100, Files.size(f));
            assertEquals(-Errno.EINVAL, Libc.ftruncate(Libc.errnoState(a), raw.fd(), -1));
            assertEquals(-Errno.EBADF, Libc.close(Libc.errnoState(a), -1));
        }
    }

    // ------------------------------------------------------------------ the kernel port

    /** The port's eventfds and request path without the engine: what each call returns, against the kernel. */
    @Test
    void theKernelPortWaitsSignalsSubmitsCancelsAndReaps() throws Exception {
        int descriptors = NativeResources.descriptors();
        int arenas = NativeResources.arenas();
        LinuxKernel k = LinuxKernel.open(4, true);
        assertTrue(k.reapsFromRing());
        assertEquals(arenas + 1, NativeResources.arenas());
        int efd = k.createEventFd();
        try {
            assertTrue(efd >= 0);
            assertEquals(descriptors + 1, NativeResources.descriptors());
            assertEquals(0, k.awaitEventFd(efd, 0, 0), "not signalled: times out at once");
            assertEquals(0, k.signalEventFd(efd));
            assertEquals(1, k.awaitEventFd(efd, 4, 0), "signalled (the reaper's scratch, index depth)");
            assertEquals(0, k.awaitEventFd(efd, 1, 1_000_000), "reset by the read");
            k.signalEventFd(efd);
            assertEquals(1, k.awaitEventFd(efd, 2, -1), "without a timeout");
            assertEquals(-Errno.EBADF, k.signalEventFd(-1));

            assertEquals(-1, k.unreapedMark(), "nothing waits in the ring");
            List<long[]> events = new ArrayList<>();
            assertEquals(0, k.reap((d, r) -> events.add(new long[] {d, r})));

            // a poll of the eventfd: in flight until signalled; io_cancel takes it
            Request poll = new Request();
            poll.opcode = Iocbs.CMD_POLL;
            poll.fd = efd;
            poll.position = LinuxH.POLLIN();
            assertEquals(1, k.submit(0, 77, poll, -1));
            assertEquals(-1, k.unreapedMark());
            long cancelled = k.cancel(0);
            assertTrue(cancelled == 0 || cancelled == -Errno.EINPROGRESS, "io_cancel: " + cancelled);
            while (events.isEmpty()) {
                k.reap((d, r) -> events.add(new long[] {d, r})); // the cancelled poll's event follows at once
            }
            assertEquals(77, events.get(0)[0]);
            assertEquals(-Errno.EINVAL, k.cancel(0), "nothing left to cancel");

            // a poll that completes: its event waits in the ring (the mark stays until it is reaped)
            k.signalEventFd(efd);
            assertEquals(1, k.submit(1, 78, poll, -1));
            long mark;
            while ((mark = k.unreapedMark()) == -1) {
                Thread.onSpinWait();
            }
            assertEquals(mark, k.unreapedMark());
            events.clear();
            assertEquals(1, k.reap((d, r) -> events.add(new long[] {d, r})));
            assertEquals(78, events.get(0)[0]);
            assertTrue((events.get(0)[1] & LinuxH.POLLIN()) != 0);
            assertEquals(-1, k.unreapedMark());
            assertEquals(2, k.ringEvents());
            assertEquals(0, k.syscallEvents());

            // refused at io_submit: -errno, no event
            Request bad = new Request();
            bad.opcode = Iocbs.CMD_POLL;
            bad.fd = 0x7fff0000;
            bad.position = LinuxH.POLLIN();
            assertEquals(-Errno.EBADF, k.submit(2, 79, bad, -1));
            assertEquals(0, k.reapWaiting((d, r) -> events.add(new long[] {d, r}), 1_000_000),
                    "io_getevents times out: nothing came");
        } finally {
            k.closeEventFd(efd);
            assertEquals(0, k.destroy());
            assertTrue(k.isAllocated());
            k.release();
        }
        assertFalse(k.isAllocated());
        assertEquals(descriptors, NativeResources.descriptors());
        assertEquals(arenas, NativeResources.arenas());
        assertEquals(-Errno.EINVAL, k.destroy(), "destroyed once");
    }

    @Test
    void withoutTheRingThePortReapsWithIoGetevents() throws Exception {
        LinuxKernel k = LinuxKernel.open(2, false);
        int efd = k.createEventFd();
        try {
            assertFalse(k.reapsFromRing());
            assertEquals(0, k.unreapedMark(), "cannot tell without the ring");
            k.signalEventFd(efd);
            Request poll = new Request();
            poll.opcode = Iocbs.CMD_POLL;
            poll.fd = efd;
            poll.position = LinuxH.POLLIN();
            assertEquals(1, k.submit(0, 5, poll, efd)); // also signals efd itself on completion (IOCB_FLAG_RESFD)
            List<long[]> events = new ArrayList<>();
            assertEquals(1, k.reapWaiting((d, r) -> events.add(new long[] {d, r}), -1));
            assertEquals(5, events.get(0)[0]);
            assertEquals(1, k.syscallEvents());
            assertEquals(0, k.ringEvents());
            assertEquals(1, k.awaitEventFd(efd, 0, 0), "RESFD signalled the eventfd");
            assertEquals(0, k.reap((d, r) -> events.add(new long[] {d, r})));
        } finally {
            k.closeEventFd(efd);
            k.destroy();
            k.release();
        }
    }

    @Test
    void aSharedArenaIsCountedUntilItIsClosed() {
        int arenas = NativeResources.arenas();
        long bytes = NativeResources.arenaBytes();
        Arena a = NativeResources.sharedArena();
        assertEquals(arenas + 1, NativeResources.arenas());
        a.allocate(1000, 8);
        a.allocate(24);
        assertEquals(bytes + 1024, NativeResources.arenaBytes());
        assertTrue(a.scope().isAlive());
        a.close();
        assertFalse(a.scope().isAlive());
        assertEquals(arenas, NativeResources.arenas());
        assertEquals(bytes, NativeResources.arenaBytes());
        assertThrows(IllegalStateException.class, a::close);
        assertEquals(arenas, NativeResources.arenas(), "counted down once");
    }
}
