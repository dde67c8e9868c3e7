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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

        Path share = TestFiles.newDirectory("vm-arm64-share");
        Path classes = Path.of(System.getProperty("kaio.test.classes", "target/classes"));
        Path testClasses = Path.of(System.getProperty("kaio.test.testClasses", "target/test-classes"));
        NfsGuestIT.copyTree(classes, share.resolve("classes"));
        NfsGuestIT.copyTree(testClasses, share.resolve("test-classes"));
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
                # run by the guest's busybox sh, in /share; /work is the guest's ext4 disk
                mkdir -p /work/core-work/tmp /work/fs /share/reports
                java -version
                java --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -Xss1m \\
                  -Djava.io.tmpdir=/work/core-work/tmp -Dkaio.test.workdir=/work/core-work \\
                  -Djqwik.database=/work/core-work/jqwik-database \\
                  -cp "/share/classes:/share/test-classes:/share/cp/*" \\
                  -Dkaio.matrix.mounts=ext4=/work/fs -Dkaio.blockdev=/dev/kaio-raw \\
                  -Dkaio.blockdev.label='block device (virtio, 512 B sectors)' \\
                  -Dkaio.matrix.report=/share/reports/matrix-aarch64.tsv \\
                  -Dkaio.test.forkTimeoutSeconds=1100 \\
                  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \\
                  --disable-ansi-colors --exclude-tag host-only --reports-dir /share/reports/guest \\
                  --config 'junit.jupiter.execution.timeout.default=20 m'%s
                """.formatted(select));

        long start = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(vm.toString(), share.toString()).redirectErrorStream(true);
        pb.environment().put("KAIO_VM_QUIET", "1");
        pb.environment().put("KAIO_VM_SKIP_BUILD", "1");
        pb.environment().put("KAIO_VM_TIMEOUT", "1200");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(25, TimeUnit.MINUTES), "the arm64 guest did not finish");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        String runLog = Files.exists(share.resolve("run.log")) ? Files.readString(share.resolve("run.log")) : "";
        Files.writeString(Path.of("target/aarch64-guest-run.log"), out + "\n" + runLog);
        String kernel = read(share.resolve("guest-kernel.txt"));
        String machine = read(share.resolve("guest-machine.txt"));

        DockerHarnessIT.Results results = DockerHarnessIT.Results.read(share.resolve("reports"));
        MatrixTable table = new MatrixTable();
        table.read(share.resolve("reports/matrix-aarch64.tsv"));
        Files.writeString(Path.of("target/aarch64-matrix.md"),
                table.markdown("filesystem (aarch64 guest, kernel " + kernel + ")"));
        System.out.println(runLog);
        System.out.printf("arm64 guest: %d tests inside the guest (kernel %s, %s), %d failed, %d skipped, %d s%n",
                results.tests, kernel, machine, results.failures.size(), results.skipped, seconds);
        if (!results.failures.isEmpty()) {
            fail("inside the arm64 guest (kernel " + kernel + "):\n" + String.join("\n", results.failures));
        }
        assertEquals(0, p.exitValue(), "vm/run-guest-arm64.sh failed:\n" + out + "\n" + runLog);
        assertEquals("aarch64", machine, "the guest's machine type");
        assertTrue(kernel.startsWith("6.1.") && kernel.endsWith("-arm64"), "the guest ran kernel " + kernel);
        Map<String, Integer> ran = ranPerClass(share.resolve("reports"));
        for (String c : GUEST_CLASSES) {
            assertTrue(ran.getOrDefault(c, 0) > 0, c + " ran no test in the arm64 guest (ran: " + ran + ")");
        }
        // skipped tests did not run: they do not count
        int notSkipped = results.tests - results.skipped;
        assertTrue(notSkipped >= 100, "only " + notSkipped + " tests ran in the arm64 guest (" + results.tests + " found, "
                + results.skipped + " skipped)");
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

    static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p).trim() : "?";
    }

    /** Tests per class that ran (not skipped), from the guest's JUnit XML reports. */
    static Map<String, Integer> ranPerClass(Path reports) throws IOException {
        Pattern testcase = Pattern.compile("<testcase [^>]*classname=\"([^\"]*)\"[^>]*?(/?)>(\\s*<skipped)?");
        Map<String, Integer> ran = new TreeMap<>();
        try (var stream = Files.walk(reports)) {
            for (Path xml : stream.filter(f -> f.getFileName().toString().endsWith(".xml")).toList()) {
                Matcher m = testcase.matcher(Files.readString(xml, StandardCharsets.UTF_8));
                while (m.find()) {
                    boolean skipped = m.group(2).isEmpty() && m.group(3) != null;
                    ran.merge(m.group(1), skipped ? 0 : 1, Integer::sum);
                }
            }
        }
        return ran;
    }
}
