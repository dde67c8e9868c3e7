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

import static dev.kaio.testing.TestFiles.assertBytesEqual;
import static dev.kaio.testing.TestFiles.randomBytes;
import static dev.kaio.testing.TestFiles.readWithFileChannel;
import static dev.kaio.testing.TestFiles.toBytes;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.DirectIoAlignment;
import dev.kaio.testing.Commands;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs inside the qemu guest of vm/ (NfsGuestIT), where the guest's own kernel NFS server exports a
 * directory that is mounted over NFS v3 and v4.2 on loopback
 * ({@code -Dkaio.nfs.mounts=v3=/mnt/nfs3;v4.2=/mnt/nfs4}): buffered and O_DIRECT reads, writes,
 * PREADV/PWRITEV and FSYNC/FDSYNC, what alignment kaio finds on NFS, and data written through kaio
 * verified byte for byte after the mounts are unmounted and mounted again
 * ({@code -Dkaio.nfs.remount=/usr/local/bin/nfs-remount}).
 */
@Tag("in-guest")
class NfsTest {

    static List<String[]> mounts() {
        String spec = System.getProperty("kaio.nfs.mounts");
        assertNotNull(spec, "run by NfsGuestIT inside the guest, with -Dkaio.nfs.mounts=v3=/mnt/nfs3;...");
        List<String[]> out = new ArrayList<>();
        for (String m : spec.split(";")) {
            out.add(m.split("="));
        }
        return out;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String[] m : mounts()) {
            for (String mode : List.of("buffered", "O_DIRECT")) {
                for (String op : MatrixCase.OPS) {
                    out.add(Arguments.of("nfs " + m[0], mode, op, Path.of(m[1])));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void matrix(String fs, String mode, String op, Path mount) throws Exception {
        assertEquals("nfs" + (fs.endsWith("v3") ? "" : "4"), Files.getFileStore(mount).type(), mount + " is not NFS");
        String kernel = MatrixExpectations.runningKernel();
        assertEquals(MatrixExpectations.expected(fs, mode, op, kernel), MatrixCase.openRunAndRecord(fs, mode, op,
                mount.resolve("matrix")), fs + " " + mode + " " + op + " on Linux " + kernel + " (see MatrixExpectations)");
    }

    /** The kernel feature probe on this (the guest's) kernel, for the README's per-kernel feature table. */
    @Test
    void recordTheKernelFeatures() {
        dev.kaio.AioFeatures f = dev.kaio.Aio.features();
        MatrixRecorder.record("kernel " + f.kernelRelease(), "features", "-", "FSYNC " + f.fsync() + ", FDSYNC "
                + f.fdsync() + ", POLL " + f.poll() + ", NOWAIT " + f.nowait() + ", DIOALIGN " + f.dioAlign(), "");
        assertTrue(f.fsync() && f.fdsync() && f.poll() && f.nowait(), f.details().toString());
    }

    /** What STATX_DIOALIGN says on NFS (nothing: NFS does not report it) and what kaio falls back to. */
    @Test
    void alignmentOnNfs() throws Exception {
        for (String[] m : mounts()) {
            Path f = Path.of(m[1]).resolve("align.bin");
            Files.write(f, new byte[8192]);
            var st = dev.kaio.internal.sys.FileStat.ofPath(f);
            try (AioContext ctx = AioContext.open(2); AioFile file = AioFile.open(ctx, f, READ, AioOpenOption.DIRECT)) {
                DirectIoAlignment a = file.alignmentInfo();
                String line = "nfs " + m[0] + ": statx STATX_DIOALIGN " + (st.hasDioAlign()
                        ? "mem " + st.dioMemAlign() + " offset " + st.dioOffsetAlign()
                        : "not reported (mask 0x" + Integer.toHexString(st.mask()) + ")") + "; kaio uses " + a.combined()
                        + " from " + a.source();
                MatrixRecorder.record("nfs " + m[0], "alignment", "-", line, "");
                System.out.println(line);
                assertTrue(a.combined() >= 1);
                // NFS O_DIRECT is byte-granular: a request at an odd position and length works too
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment b = DirectBuffers.allocate(arena, 4096, 4096);
                    assertEquals(100, file.read(b.asSlice(0, 100), 7).get(60, TimeUnit.SECONDS));
                }
            }
        }
    }

    @Test
    void dataWrittenThroughKaioSurvivesUnmountAndRemount() throws Exception {
        String remount = System.getProperty("kaio.nfs.remount");
        assertNotNull(remount, "-Dkaio.nfs.remount=/usr/local/bin/nfs-remount");
        List<byte[]> datas = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (AioContext ctx = AioContext.open(16); Arena arena = Arena.ofShared()) {
            int i = 0;
            for (String[] m : mounts()) {
                for (boolean direct : new boolean[] {false, true}) {
                    Path p = Path.of(m[1]).resolve("remount-" + (direct ? "direct" : "buffered") + ".bin");
                    byte[] data = randomBytes(100 + i++, 1 << 20);
                    try (AioFile f = direct ? AioFile.open(ctx, p, READ, WRITE, CREATE, AioOpenOption.DIRECT)
                            : AioFile.open(ctx, p, READ, WRITE, CREATE)) {
                        List<MemorySegment> segs = new ArrayList<>();
                        for (int s = 0; s < 16; s++) {
                            MemorySegment seg = DirectBuffers.allocate(arena, 65536, 4096);
                            seg.copyFrom(MemorySegment.ofArray(data).asSlice(s * 65536L, 65536));
                            segs.add(seg);
                        }
                        CompletableFuture<Long> w = f.writev(segs, 0);
                        assertEquals(1L << 20, w.get(60, TimeUnit.SECONDS));
                        f.fdatasync().get(60, TimeUnit.SECONDS);
                    }
                    datas.add(data);
                    files.add(p);
                }
            }
        }
        Commands.run(List.of(remount));
        try (AioContext ctx = AioContext.open(4); Arena arena = Arena.ofShared()) {
            for (int i = 0; i < files.size(); i++) {
                assertBytesEqual(datas.get(i), readWithFileChannel(files.get(i), 0, 1 << 20), files.get(i) + " via FileChannel");
                try (AioFile f = AioFile.open(ctx, files.get(i), READ, AioOpenOption.DIRECT)) {
                    MemorySegment b = DirectBuffers.allocate(arena, 1 << 20, 4096);
                    assertEquals(1 << 20, f.read(b, 0).get(60, TimeUnit.SECONDS));
                    assertBytesEqual(datas.get(i), toBytes(b), files.get(i) + " via kaio O_DIRECT after remount");
                }
            }
        }
        MatrixRecorder.record("nfs", "remount", "-", files.size() + " files of 1 MiB written by kaio (writev + fdatasync) "
                + "read back intact after umount and mount", "");
    }
}
