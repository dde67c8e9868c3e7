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

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * linux-aarch64: boots the arm64 guest of vm/ (Debian's arm64 6.1 kernel under qemu-system-aarch64,
 * Debian's arm64 JRE 25; built offline by vm/build-guest-arm64.sh) with this project's classes and
 * test classpath shared over 9p, and inside it runs, in one JVM: the architecture checks
 * ({@link Aarch64GuestTest}, {@code ArchConstantsTest}), the feature probe and
 * {@code KernelFeaturesTest}, the file, engine, bad-input and NIO-channel tests on the guest's ext4
 * disk, the support matrix on that disk (buffered and O_DIRECT) and O_DIRECT on a raw virtio disk.
 * The guest's JUnit results come back through the share; a failure inside fails this test. Writes
 * target/aarch64-matrix.md and target/aarch64-guest-run.log.
 *
 * <p>Skipped with the reason when qemu or the guest cannot be built here; with
 * {@code KAIO_REQUIRE_VM=1} (set by .ci/run) that is a failure instead.
 */
class Aarch64GuestIT {

    private static final String REQUIRE_ENV = "KAIO_REQUIRE_VM";

    /**
     * Every class must run in the guest with at least one test that was not skipped (tests tagged
     * "host-only", the channel's races and child-JVM tests, run on the host only: TCG is slow).
     */
    static final List<String> GUEST_CLASSES = List.of("dev.kaio.harness.Aarch64GuestTest",
            "dev.kaio.internal.sys.ArchConstantsTest", "dev.kaio.KernelFeaturesTest", "dev.kaio.AioFileTest",
            "dev.kaio.engine.AioQueueTest", "dev.kaio.NativePathTest", "dev.kaio.ErrnoTest",
            "dev.kaio.reliability.BadInputTest", "dev.kaio.KaioAsyncFileChannelTest",
            "dev.kaio.harness.FilesystemMatrixTest", "dev.kaio.harness.BlockDeviceInContainerTest");

    @Test
    // a few minutes here; up to 20 more when the guest must first be built, and the guest's own limit
    // (KAIO_VM_TIMEOUT) is 20
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    void theCoreSuitePassesOnAnAarch64JvmAndKernel() throws Exception {
        Path vm = Path.of("vm/run-guest-arm64.sh").toAbsolutePath();
        HarnessPrerequisite.require(REQUIRE_ENV, Files.isExecutable(vm), "vm/run-guest-arm64.sh is missing");
        HarnessPrerequisite.require(REQUIRE_ENV, dev.kaio.testing.LoopDevice.isRoot(),
                "building and booting the arm64 guest needs root");
        HarnessPrerequisite.require(REQUIRE_ENV, build(),
                "vm/build-guest-arm64.sh could not build the arm64 guest (qemu-system-arm, qemu-user-static and "
                        + "Debian's arm64 packages are needed; see target/aarch64-guest-build.log)");

        GuestRun run = GuestRun.prepare("vm-arm64-share", GUEST_CLASSES, """
                # /work is the guest's ext4 disk
                mkdir -p /work/core-work/tmp /work/fs /share/reports
                java -version
                """, List.of(
                "-Djava.io.tmpdir=/work/core-work/tmp -Dkaio.test.workdir=/work/core-work",
                "-Djqwik.database=/work/core-work/jqwik-database",
                "-Dkaio.matrix.mounts=ext4=/work/fs -Dkaio.blockdev=/dev/kaio-raw",
                "-Dkaio.blockdev.label='block device (virtio, 512 B sectors)'",
                "-Dkaio.matrix.report=/share/reports/matrix-aarch64.tsv",
                "-Dkaio.test.forkTimeoutSeconds=1100"));
        long start = System.nanoTime();
        run.boot(vm, Map.of("KAIO_VM_SKIP_BUILD", "1", "KAIO_VM_TIMEOUT", "1200"), 25, "aarch64-guest-run.log");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        String kernel = run.guestFile("guest-kernel.txt");
        String machine = run.guestFile("guest-machine.txt");

        MatrixTable table = new MatrixTable();
        table.read(run.share.resolve("reports/matrix-aarch64.tsv"));
        Files.writeString(Path.of("target/aarch64-matrix.md"),
                table.markdown("filesystem (aarch64 guest, kernel " + kernel + ")"));
        System.out.println(run.runLog);
        System.out.printf("arm64 guest: %d tests inside the guest (kernel %s, %s), %d failed, %d skipped, %d s%n",
                run.results.tests, kernel, machine, run.results.failures.size(), run.results.skipped, seconds);
        run.assertPassed("arm64 guest (kernel " + kernel + ")", 100);
        assertEquals("aarch64", machine, "the guest's machine type");
        assertTrue(kernel.startsWith("6.1.") && kernel.endsWith("-arm64"), "the guest ran kernel " + kernel);
    }

    static boolean build() {
        try {
            Process b = new ProcessBuilder("vm/build-guest-arm64.sh", "--quiet").redirectErrorStream(true)
                    .redirectOutput(Path.of("target/aarch64-guest-build.log").toFile()).start();
            boolean ok = b.waitFor(20, TimeUnit.MINUTES) && b.exitValue() == 0;
            if (!ok) {
                System.out.println(Files.readString(Path.of("target/aarch64-guest-build.log")));
            }
            return ok;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
