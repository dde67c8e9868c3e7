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

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * NFS and a second kernel: boots the qemu guest of vm/ (Debian's 6.1 kernel, built offline by
 * vm/build-guest.sh) with this project's classes and test classpath shared over 9p, and inside it
 * runs, in one JVM: {@link NfsTest} against the guest's own kernel NFS server mounted over v3 and v4.2
 * on loopback, and kaio's core suite (feature probe, file and engine tests, bad input, the NIO
 * channel) on the guest's ext4 disk. The guest's JUnit results come back through the share; a
 * failure inside fails this test. Writes target/nfs-matrix.md and target/guest-kernel.txt.
 *
 * <p>Skipped with the reason when qemu or the guest cannot be built here; with
 * {@code KAIO_REQUIRE_VM=1} (set by .ci/run) that is a failure instead.
 */
class NfsGuestIT {

    /** Set by .ci/run: a missing prerequisite fails the IT instead of skipping it. */
    private static final String REQUIRE_ENV = "KAIO_REQUIRE_VM";

    /** (Without the tests tagged "host-only": races and child-JVM tests, which the host runs; TCG is slow.) */
    static final List<String> GUEST_CLASSES = List.of("dev.kaio.harness.NfsTest", "dev.kaio.KernelFeaturesTest",
            "dev.kaio.AioFileTest", "dev.kaio.engine.AioQueueTest", "dev.kaio.NativePathTest", "dev.kaio.ErrnoTest",
            "dev.kaio.reliability.BadInputTest", "dev.kaio.KaioAsyncFileChannelTest");

    @Test
    // about three minutes here; up to 20 more when the guest must first be built, and the guest's own
    // limit (KAIO_VM_TIMEOUT) is 25
    @Timeout(value = 50, unit = TimeUnit.MINUTES)
    void nfsAndTheCoreSuitePassInsideAGuestWithDebiansKernel() throws Exception {
        Path vm = Path.of("vm/run-guest.sh").toAbsolutePath();
        HarnessPrerequisite.require(REQUIRE_ENV, Files.isExecutable(vm), "vm/run-guest.sh is missing");
        HarnessPrerequisite.require(REQUIRE_ENV, dev.kaio.testing.LoopDevice.isRoot(),
                "building and booting the guest needs root");
        HarnessPrerequisite.require(REQUIRE_ENV,
                Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")) || build(),
                "qemu-system-x86 is not installed and vm/build-guest.sh could not install it");

        GuestRun run = GuestRun.prepare("vm-share", GUEST_CLASSES, """
                mkdir -p /export/core-work/tmp /share/reports
                # java.io.tmpdir on the guest's ext4 disk (its /tmp is tmpfs, which refuses RWF_NOWAIT)
                """, List.of(
                "-Djava.io.tmpdir=/export/core-work/tmp -Djqwik.database=/export/core-work/jqwik-database",
                "-Dkaio.nfs.mounts='v3=/mnt/nfs3;v4.2=/mnt/nfs4' -Dkaio.nfs.remount=/usr/local/bin/nfs-remount",
                "-Dkaio.matrix.report=/share/reports/matrix-nfs.tsv -Dkaio.test.workdir=/export/core-work",
                "-Dkaio.test.forkTimeoutSeconds=1400"));
        run.boot(vm, Map.of("KAIO_VM_TIMEOUT", "1500"), 30, "guest-run.log");
        String kernel = run.guestFile("guest-kernel.txt");
        Files.writeString(Path.of("target/guest-kernel.txt"), kernel + "\n");

        writeNfsMatrix(run.share.resolve("reports/matrix-nfs.tsv"), Path.of("target/nfs-matrix.md"), kernel);
        System.out.println(run.runLog);
        System.out.printf("guest: %d tests inside the guest (kernel %s), %d failed, %d skipped%n", run.results.tests,
                kernel, run.results.failures.size(), run.results.skipped);
        run.assertPassed("guest (kernel " + kernel + ")", 100);
        assertTrue(kernel.startsWith("6.1."), "the guest ran kernel " + kernel);
    }

    static boolean build() {
        try {
            Process b = new ProcessBuilder("vm/build-guest.sh", "--quiet").inheritIO().start();
            return b.waitFor(20, TimeUnit.MINUTES) && b.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The NFS rows of the support matrix and the guest kernel's features. */
    static void writeNfsMatrix(Path tsv, Path out, String kernel) throws IOException {
        MatrixTable table = new MatrixTable();
        table.read(tsv);
        Files.writeString(out, table.markdown("filesystem (guest kernel " + kernel + ")"));
    }
}
