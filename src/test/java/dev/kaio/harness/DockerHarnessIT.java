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

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import dev.kaio.LeakCheckExtension;
import dev.kaio.testing.Commands;
import dev.kaio.testing.LoopDevice;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The Linux test harness: builds the test image (the base image with JDK 25 plus this project's
 * classes and test classpath), starts a container with host loop devices passed in
 * ({@code --device}, {@code --cap-add SYS_ADMIN}; {@code --privileged} is refused here), and inside
 * it formats and mounts ext2, ext3, ext4, xfs, btrfs and a tmpfs and runs, on each, kaio's file tests
 * and the support-matrix test, plus the O_DIRECT block-device test on a raw loop device. The
 * container's JUnit results are copied back: a failure inside fails this test with the container's
 * message. Writes target/support-matrix.md from what was measured.
 *
 * <p>Then, in two more containers whose seccomp profile refuses io_setup (derived from Docker's default:
 * {@code harness/seccomp-no-io_setup.json} leaves io_setup out of the allow list, so it gets EPERM; a
 * variant adds an explicit ENOSYS rule, the answer of a kernel without CONFIG_AIO), it runs
 * {@link AioUnavailableInContainerTest}: kaio says why AIO is unavailable and
 * {@code KaioFileChannel.openOrFallback} hands out the JDK's channel.
 *
 * <p>Skips, with the reason, when no Docker engine is reachable or the base image is missing; with
 * {@code KAIO_REQUIRE_DOCKER=1} (set by .ci/run) those are failures instead. Ryuk is disabled (it
 * cannot be pulled); containers are removed by Testcontainers on close and at JVM exit, loop devices
 * here in {@code finally} and by a shutdown hook.
 */
@LeakCheckExtension.Keeps(value = "socket", reason = "Testcontainers' Docker client keeps its connections to the "
        + "Docker engine's socket for the JVM's lifetime")
class DockerHarnessIT {

    /** Set by .ci/run: a missing prerequisite fails the IT instead of skipping it. */
    private static final String REQUIRE_ENV = "KAIO_REQUIRE_DOCKER";

    static final List<String> FILESYSTEMS = List.of("ext2", "ext3", "ext4", "xfs", "btrfs");
    static final String IMAGE_TAG = "kaio-test:harness";

    /** The base image, after checking that Docker and the image are there (skip or fail otherwise). */
    private static String requireDockerAndBaseImage() {
        String base = System.getProperty("kaio.test.base.image", "kaio-test-base:bookworm-jdk25");
        HarnessPrerequisite.require(REQUIRE_ENV, DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine is reachable (start dockerd; .ci/run does)");
        try {
            DockerClientFactory.instance().client().inspectImageCmd(base).exec();
        } catch (NotFoundException e) {
            HarnessPrerequisite.require(REQUIRE_ENV, false, "the base image " + base + " is missing: build it with "
                    + "docker/build-base-image.sh (offline) or docker build -t " + base + " docker/");
        }
        return base;
    }

    @ParameterizedTest(name = "io_setup answers {0}")
    @ValueSource(strings = {"EPERM", "ENOSYS"})
    void whereSeccompRefusesIoSetupOpenOrFallbackGivesTheJdksChannel(String errno) throws Exception {
        String base = requireDockerAndBaseImage();
        Path work = dev.kaio.testing.TestFiles.newDirectory("docker-seccomp");
        String profile = seccompProfile(errno);
        try (GenericContainer<?> c = new GenericContainer<>(testImage(base))
                .withCommand("sleep", "infinity")
                .withEnv("KAIO_UNAVAILABLE", errno)
                .withStartupTimeout(Duration.ofMinutes(2))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withSecurityOpts(List.of("seccomp=" + profile)))) {
            c.start();
            Container.ExecResult run = c.execInContainer("bash", "/kaio/run-in-container.sh");
            String log = run.getStdout() + run.getStderr();
            Files.writeString(work.resolve("container.log"), log);
            Path reports = Files.createDirectories(work.resolve("reports"));
            c.copyFileFromContainer("/kaio/reports.tar", in -> {
                untar(in, reports);
                return null;
            });
            Results results = Results.read(reports);
            System.out.println(log);
            if (!results.failures.isEmpty()) {
                fail("inside the container (seccomp: io_setup " + errno + "):\n" + String.join("\n", results.failures));
            }
            assertEquals(0, run.getExitCode(), "run-in-container.sh failed:\n" + log);
            assertEquals(1, results.suites.getOrDefault("unavailable-" + errno, 0), "the fallback test ran:\n" + log);
        }
    }

    /**
     * harness/seccomp-no-io_setup.json (Docker's default profile without io_setup: EPERM), or for
     * ENOSYS the same with a rule that answers ENOSYS, inlined as the Docker API takes it.
     */
    static String seccompProfile(String errno) throws IOException {
        Path testClasses = Path.of(System.getProperty("kaio.test.testClasses", "target/test-classes"));
        String json = Files.readString(testClasses.resolve("harness/seccomp-no-io_setup.json"));
        if (errno.equals("ENOSYS")) {
            int end = json.lastIndexOf(']');
            json = json.substring(0, end) + ", {\"names\": [\"io_setup\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}"
                    + json.substring(end);
        }
        return json;
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES) // about 3 minutes here; the default 5 would be too tight
    void fileAndBlockDeviceTestsPassInsideAContainerOnEveryFilesystem() throws Exception {
        String base = requireDockerAndBaseImage();
        HarnessPrerequisite.require(REQUIRE_ENV, LoopDevice.isRoot(),
                "attaching loop devices for the container needs root");

        Path work = dev.kaio.testing.TestFiles.newDirectory("docker");
        List<LoopDevice> loops = new ArrayList<>();
        Thread cleanup = new Thread(() -> loops.forEach(l -> {
            try {
                l.close();
            } catch (IOException ignored) {
                // best effort at JVM exit
            }
        }), "kaio-harness-loop-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Map<String, LoopDevice> byFs = new LinkedHashMap<>();
            for (String fs : FILESYSTEMS) {
                // xfsprogs 6 refuses filesystems under 300 MiB; sparse files, so cheap
                LoopDevice l = LoopDevice.attach(work.resolve(fs + ".img"), 512L << 20, 512);
                loops.add(l);
                byFs.put(fs, l);
            }
            LoopDevice raw = LoopDevice.attach(work.resolve("raw.img"), 64L << 20, 512);
            loops.add(raw);

            ImageFromDockerfile image = testImage(base);
            StringBuilder filesystems = new StringBuilder();
            List<Device> devices = new ArrayList<>();
            for (Map.Entry<String, LoopDevice> e : byFs.entrySet()) {
                String inside = "/dev/kaio-" + e.getKey();
                devices.add(Device.parse(e.getValue().path() + ":" + inside + ":rwm"));
                filesystems.append(e.getKey()).append(':').append(inside).append(' ');
            }
            filesystems.append("tmpfs:none");
            devices.add(Device.parse(raw.path() + ":/dev/kaio-raw:rwm"));

            try (GenericContainer<?> c = new GenericContainer<>(image)
                    .withCommand("sleep", "infinity")
                    .withEnv("KAIO_FILESYSTEMS", filesystems.toString())
                    .withEnv("KAIO_BLOCKDEV", "/dev/kaio-raw")
                    .withStartupTimeout(Duration.ofMinutes(2))
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withDevices(devices)
                            .withCapAdd(Capability.SYS_ADMIN))) {
                c.start();
                Container.ExecResult run = c.execInContainer("bash", "/kaio/run-in-container.sh");
                String log = run.getStdout() + run.getStderr();
                Files.writeString(work.resolve("container.log"), log);
                Path reports = Files.createDirectories(work.resolve("reports"));
                c.copyFileFromContainer("/kaio/reports.tar", in -> {
                    untar(in, reports);
                    return null;
                });
                Results results = Results.read(reports);
                writeMatrix(reports, Path.of("target/support-matrix.md"));
                System.out.println(log);
                System.out.printf("docker harness: %d tests in the container on %s (kernel %s), %d failed, %d skipped%n",
                        results.tests, String.join(", ", results.suites.keySet()),
                        Files.readString(reports.resolve("kernel.txt")).trim(), results.failures.size(), results.skipped);
                if (!results.failures.isEmpty()) {
                    fail("inside the container:\n" + String.join("\n", results.failures));
                }
                assertEquals(0, run.getExitCode(), "run-in-container.sh failed:\n" + log);
                for (String fs : FILESYSTEMS) {
                    // 24 matrix cells + AioFileTest + AioQueueTest + ModelPropertyTest
                    assertTrue(results.suites.getOrDefault(fs, 0) >= 57, fs + " ran " + results.suites.get(fs) + " tests");
                }
                assertTrue(results.suites.getOrDefault("tmpfs", 0) >= 24, "tmpfs matrix");
                assertEquals(12, results.suites.getOrDefault("blockdev", 0), "block-device tests");
            }
        } finally {
            for (LoopDevice l : loops) {
                l.close();
                Files.deleteIfExists(l.backingFile());
            }
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    /** FROM the base image, plus kaio's classes, test classes and the test runtime classpath. */
    static ImageFromDockerfile testImage(String base) throws IOException {
        ImageFromDockerfile image = new ImageFromDockerfile(IMAGE_TAG, false);
        Path classes = Path.of(System.getProperty("kaio.test.classes", "target/classes"));
        Path testClasses = Path.of(System.getProperty("kaio.test.testClasses", "target/test-classes"));
        image.withFileFromPath("classes", classes);
        image.withFileFromPath("test-classes", testClasses);
        image.withFileFromPath("run-in-container.sh", testClasses.resolve("harness/run-in-container.sh"));
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (!Files.isRegularFile(p) || !name.endsWith(".jar") || !wantedInContainer(name)) {
                continue;
            }
            image.withFileFromPath("cp/" + name, p);
            n++;
        }
        if (n == 0) {
            throw new IllegalStateException("no jars found on the test classpath");
        }
        image.withDockerfileFromBuilder(b -> b.from(base)
                .copy("classes", "/kaio/classes")
                .copy("test-classes", "/kaio/test-classes")
                .copy("cp", "/kaio/cp")
                .copy("run-in-container.sh", "/kaio/run-in-container.sh")
                .workDir("/kaio")
                .build());
        return image;
    }

    /**
     * The console launcher's standalone jar brings the JUnit platform and Jupiter; the separate JUnit
     * jars would register the same engines twice. Docker and Testcontainers stay on the host.
     */
    static boolean wantedInContainer(String jar) {
        if (jar.startsWith("junit-platform-console-standalone")) {
            return true;
        }
        for (String prefix : List.of("junit-", "opentest4j", "apiguardian", "testcontainers", "docker-java", "jna",
                "duct-tape", "commons-compress", "commons-io", "commons-codec", "commons-lang", "slf4j", "jackson",
                "annotations", "bcpkix", "bcprov", "bcutil", "guava", "failureaccess", "jsr305", "surefire", "failsafe",
                "common-java", "common-junit", "maven-")) {
            if (jar.startsWith(prefix)) {
                return false;
            }
        }
        return true;
    }

    static void untar(InputStream in, Path dir) throws IOException {
        byte[] tar = in.readAllBytes();
        Path file = dir.resolve("reports.tar");
        Files.write(file, tar);
        try {
            Commands.run(List.of("tar", "-xf", file.toString(), "-C", dir.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** What the JUnit XML reports from the container say. */
    static final class Results {
        int tests;
        int skipped;
        final Map<String, Integer> suites = new TreeMap<>();
        final List<String> failures = new ArrayList<>();

        static Results read(Path reports) throws IOException {
            Results r = new Results();
            Pattern suite = Pattern.compile("<testsuite [^>]*tests=\"(\\d+)\"[^>]*skipped=\"(\\d+)\"[^>]*failures=\"(\\d+)\""
                    + "[^>]*errors=\"(\\d+)\"");
            Pattern failure = Pattern.compile("<testcase name=\"([^\"]*)\" classname=\"([^\"]*)\"[^>]*>\\s*<(failure|error)"
                    + "(?: message=\"([^\"]*)\")?");
            try (var stream = Files.walk(reports)) {
                for (Path xml : stream.filter(p -> p.getFileName().toString().endsWith(".xml")).toList()) {
                    String name = reports.relativize(xml).getName(0).toString();
                    String text = Files.readString(xml, StandardCharsets.UTF_8);
                    Matcher m = suite.matcher(text);
                    while (m.find()) {
                        int t = Integer.parseInt(m.group(1));
                        r.tests += t;
                        r.skipped += Integer.parseInt(m.group(2));
                        r.suites.merge(name, t - Integer.parseInt(m.group(2)), Integer::sum);
                    }
                    Matcher f = failure.matcher(text);
                    while (f.find()) {
                        r.failures.add(name + ": " + f.group(2) + "." + f.group(1) + ": " + unescape(f.group(4)));
                    }
                }
            }
            return r;
        }
    }

    static String unescape(String s) {
        return s == null ? "" : s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#10;", " ").replace("&amp;", "&");
    }

    /** The support matrix, from the matrix-*.tsv files the container wrote. */
    static void writeMatrix(Path reports, Path out) throws IOException {
        MatrixTable table = new MatrixTable();
        List<String> order = new ArrayList<>(FILESYSTEMS);
        order.add("tmpfs");
        order.add("blockdev");
        for (String fs : order) {
            table.read(reports.resolve("matrix-" + fs + ".tsv"));
        }
        Files.writeString(out, table.markdown("filesystem"));
    }
}
