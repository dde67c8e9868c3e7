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
import static org.junit.jupiter.api.Assertions.fail;

import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
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
    // a minute and a half here; up to 20 more when the guest must first be built, and the guest's own
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

        Path share = TestFiles.newDirectory("vm-share");
        Path classes = Path.of(System.getProperty("kaio.test.classes", "target/classes"));
        Path testClasses = Path.of(System.getProperty("kaio.test.testClasses", "target/test-classes"));
        copyTree(classes, share.resolve("classes"));
        copyTree(testClasses, share.resolve("test-classes"));
        Files.createDirectories(share.resolve("cp"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (Files.isRegularFile(p) && name.endsWith(".jar") && DockerHarnessIT.wantedInContainer(name)) {
                Files.copy(p, share.resolve("cp").resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        StringBuilder select = new StringBuilder();
        for (String c : GUEST_CLASSES) {
            select.append(" --select-class ").append(c);
        }
        Files.writeString(share.resolve("run.sh"), """
                #!/bin/sh
                # run by the guest's busybox sh, in /share
                mkdir -p /export/core-work/tmp /share/reports
                # java.io.tmpdir on the guest's ext4 disk (its /tmp is tmpfs, which refuses RWF_NOWAIT)
                java --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -Xss1m \\
                  -Djava.io.tmpdir=/export/core-work/tmp -Djqwik.database=/export/core-work/jqwik-database \\
                  -cp "/share/classes:/share/test-classes:/share/cp/*" \\
                  -Dkaio.nfs.mounts='v3=/mnt/nfs3;v4.2=/mnt/nfs4' -Dkaio.nfs.remount=/usr/local/bin/nfs-remount \\
                  -Dkaio.matrix.report=/share/reports/matrix-nfs.tsv -Dkaio.test.workdir=/export/core-work \\
                  -Dkaio.test.forkTimeoutSeconds=1400 \\
                  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \\
                  --disable-ansi-colors --exclude-tag host-only --reports-dir /share/reports/guest \\
                  --config 'junit.jupiter.execution.timeout.default=20 m'%s
                """.formatted(select));

        ProcessBuilder pb = new ProcessBuilder(vm.toString(), share.toString()).redirectErrorStream(true);
        pb.environment().put("KAIO_VM_QUIET", "1");
        pb.environment().put("KAIO_VM_TIMEOUT", "1500");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.MINUTES), "the guest did not finish");
        String runLog = Files.exists(share.resolve("run.log")) ? Files.readString(share.resolve("run.log")) : "";
        Files.writeString(Path.of("target/guest-run.log"), out + "\n" + runLog);
        String kernel = Files.exists(share.resolve("guest-kernel.txt"))
                ? Files.readString(share.resolve("guest-kernel.txt")).trim() : "?";
        Files.writeString(Path.of("target/guest-kernel.txt"), kernel + "\n");

        DockerHarnessIT.Results results = DockerHarnessIT.Results.read(share.resolve("reports"));
        writeNfsMatrix(share.resolve("reports/matrix-nfs.tsv"), Path.of("target/nfs-matrix.md"), kernel);
        System.out.println(runLog);
        System.out.printf("guest: %d tests inside the guest (kernel %s), %d failed, %d skipped%n", results.tests, kernel,
                results.failures.size(), results.skipped);
        if (!results.failures.isEmpty()) {
            fail("inside the guest (kernel " + kernel + "):\n" + String.join("\n", results.failures));
        }
        assertEquals(0, p.exitValue(), "vm/run-guest.sh failed:\n" + out + "\n" + runLog);
        assertTrue(kernel.startsWith("6.1."), "the guest ran kernel " + kernel);
        // skipped tests did not run: they do not count
        int ran = results.tests - results.skipped;
        assertTrue(ran >= 100, "only " + ran + " tests ran in the guest (" + results.tests + " found, " + results.skipped
                + " skipped)");
    }

    static boolean build() {
        try {
            Process b = new ProcessBuilder("vm/build-guest.sh", "--quiet").inheritIO().start();
            return b.waitFor(20, TimeUnit.MINUTES) && b.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var stream = Files.walk(from)) {
            for (Path src : stream.toList()) {
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The NFS rows of the support matrix and the guest kernel's features. */
    static void writeNfsMatrix(Path tsv, Path out, String kernel) throws IOException {
        MatrixTable table = new MatrixTable();
        table.read(tsv);
        Files.writeString(out, table.markdown("filesystem (guest kernel " + kernel + ")"));
    }
}
