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
package dev.kaio.tools;

import static dev.kaio.tools.BenchCommandTest.num;
import static dev.kaio.tools.BenchCommandTest.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged tool, run as {@code ./kaio} runs it: the jar and target/lib (its dependencies, the
 * library among them) on the module path, native access enabled for dev.kaio. A broken module
 * descriptor (a missing requires, picocli not allowed into the commands) fails here. And as
 * {@code java -jar}, on the class path, through the jar's manifest.
 */
class ToolModulePathIT {

    record Run(int status, String out, String err) {}

    static Path toolJar() {
        Path jar = Path.of(System.getProperty("kaio.test.toolJar", "target/kaio-tools.jar"));
        assertTrue(Files.isRegularFile(jar), "no packaged tool at " + jar);
        return jar;
    }

    static Path lib() {
        return Path.of(System.getProperty("kaio.test.lib", "target/lib"));
    }

    static Run java(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(args);
        Path err = Files.createTempFile(TestFiles.newDirectory("stderr"), "err", ".txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
        return new Run(p.exitValue(), out, Files.readString(err));
    }

    static Run onModulePath(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("--enable-native-access=dev.kaio", "--module-path",
                lib() + ":" + toolJar(), "--module", "dev.kaio.tools/dev.kaio.tools.Main"));
        command.addAll(List.of(args));
        return java(command);
    }

    @Test
    void theModuleDescriptorNamesItsDependencies() {
        ModuleDescriptor d = ModuleFinder.of(toolJar()).findAll().iterator().next().descriptor();
        assertEquals("dev.kaio.tools", d.name());
        assertEquals(List.of("HdrHistogram", "com.google.gson", "dev.kaio", "info.picocli", "java.base"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).sorted().toList());
        assertEquals("dev.kaio.tools.Main", d.mainClass().orElse(null));
        assertEquals(System.getProperty("kaio.test.version"), d.rawVersion().orElse(null));
        try (Stream<Path> jars = Files.list(lib())) {
            List<String> names = jars.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.contains("kaio-" + System.getProperty("kaio.test.version") + ".jar"), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("picocli-")), names.toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theToolJarHoldsOnlyTheTool() throws IOException {
        try (JarFile jar = new JarFile(toolJar().toFile())) {
            List<String> foreign = jar.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && !n.equals("module-info.class") && !n.startsWith("dev/kaio/tools/"))
                    .collect(Collectors.toList());
            assertTrue(foreign.isEmpty(), "classes outside dev.kaio.tools: " + foreign);
        }
    }

    @Test
    void versionHelpAndUsageErrorsOnTheModulePath() throws Exception {
        Run version = onModulePath("--version");
        assertEquals(0, version.status(), version.err());
        assertEquals("kaio " + System.getProperty("kaio.test.version") + "\n", version.out());
        Run help = onModulePath("bench", "--help");
        assertEquals(0, help.status(), help.err());
        assertTrue(help.out().contains("--iodepth_batch_complete_min"), help.out());
        Run bad = onModulePath("bench", "--bs", "4x");
        assertEquals(2, bad.status());
        assertTrue(bad.err().startsWith("kaio: invalid size for --bs: '4x'"), bad.err());
    }

    @Test
    void doctorAndBenchOnTheModulePath() throws Exception {
        Path dir = TestFiles.newDirectory("modulepath");
        Run doctor = onModulePath("doctor", "--json", dir.toString());
        assertEquals(0, doctor.status(), doctor.err() + doctor.out());
        JsonObject json = object(doctor.out());
        assertTrue(json.get("native_access").getAsBoolean());
        assertTrue(json.get("aio_available").getAsBoolean());
        assertFalse(doctor.err().contains("WARNING"), "the JDK warned: " + doctor.err());

        Run bench = onModulePath("bench", "--dir", dir.toString(), "--size", "8m", "--number_ios", "2000", "--json");
        assertEquals(0, bench.status(), bench.err() + bench.out());
        JsonObject kaio = object(bench.out(), "jobs", "0", "kaio");
        assertEquals(2000, num(kaio, "completed"));
        assertEquals(2000, num(kaio, "verified"));
        assertTrue(bench.err().isEmpty(), bench.err());
    }

    @Test
    void javaDashJarOnTheClassPath() throws Exception {
        Run version = java(List.of("-jar", toolJar().toString(), "--version"));
        assertEquals(0, version.status(), version.err());
        assertEquals("kaio " + System.getProperty("kaio.test.version") + "\n", version.out());
        Run doctor = java(List.of("-jar", toolJar().toString(), "doctor", "--json"));
        assertEquals(0, doctor.status(), doctor.err() + doctor.out());
        assertTrue(object(doctor.out()).get("native_access").getAsBoolean(), "Enable-Native-Access in the manifest");
        assertFalse(doctor.err().contains("WARNING"), "the JDK warned: " + doctor.err());
    }
}
