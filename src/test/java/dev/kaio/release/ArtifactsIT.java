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
package dev.kaio.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged library, as it would be published: target/kaio-VERSION.jar holds the library and
 * nothing else (no command-line tool, no dependency), its module descriptor exports exactly the API,
 * and the -sources and -javadoc jars are there.
 */
class ArtifactsIT {

    static Path jar() {
        Path jar = Path.of(System.getProperty("kaio.test.jar", "target/kaio.jar"));
        assertTrue(Files.isRegularFile(jar), "no packaged jar at " + jar);
        return jar;
    }

    static Path attached(String classifier) {
        String name = jar().getFileName().toString().replace(".jar", "-" + classifier + ".jar");
        return jar().resolveSibling(name);
    }

    @Test
    void theLibraryJarHoldsOnlyTheLibrary() throws IOException {
        Set<String> packages = new TreeSet<>();
        try (JarFile jar = new JarFile(jar().toFile())) {
            for (ZipEntry e : jar.stream().toList()) {
                String name = e.getName();
                if (name.endsWith(".class") && !name.equals("module-info.class")) {
                    packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
                }
            }
            assertEquals(new TreeSet<>(List.of("dev.kaio", "dev.kaio.engine", "dev.kaio.internal.core",
                    "dev.kaio.internal.jfr", "dev.kaio.internal.linux", "dev.kaio.internal.sys")), packages,
                    "packages in " + jar());
            assertNotNull(jar.getEntry("META-INF/LICENSE"), "META-INF/LICENSE");
            assertNotNull(jar.getEntry("META-INF/NOTICE"), "META-INF/NOTICE");
            Manifest manifest = jar.getManifest();
            assertNull(manifest.getMainAttributes().getValue("Main-Class"), "the library is not a program");
            assertNull(manifest.getMainAttributes().getValue("Class-Path"), "the library has no dependency");
            assertEquals(System.getProperty("kaio.test.version"),
                    manifest.getMainAttributes().getValue("Implementation-Version"));
        }
    }

    @Test
    void theModuleDescriptorExportsTheApiAndRequiresOnlyTheJdk() {
        ModuleReference ref = ModuleFinder.of(jar()).find("dev.kaio").orElseThrow();
        ModuleDescriptor d = ref.descriptor();
        assertFalse(d.isAutomatic(), "dev.kaio has a real module descriptor");
        assertEquals(Set.of("dev.kaio", "dev.kaio.engine"),
                d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertTrue(d.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified), "no qualified exports");
        assertTrue(d.opens().isEmpty(), "no opened packages");
        assertEquals(Set.of("java.base", "jdk.jfr"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
        // JFR only where the runtime has it (a jlinked runtime may not): a static requirement
        assertTrue(d.requires().stream().filter(r -> r.name().equals("jdk.jfr"))
                .allMatch(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)), "requires static jdk.jfr");
        // every directory with a class or a resource is a package of the module: a stray one (say a
        // leftover dev/kaio/tools/) would clash with the tool's module on the module path
        assertEquals(Set.of("dev.kaio", "dev.kaio.engine", "dev.kaio.internal.core", "dev.kaio.internal.jfr",
                "dev.kaio.internal.linux", "dev.kaio.internal.sys"), d.packages());
        assertEquals(System.getProperty("kaio.test.version"), d.rawVersion().orElse(null), "module version");
        assertTrue(d.mainClass().isEmpty(), "no main class");
    }

    @Test
    void sourcesAndJavadocJarsAreAttached() throws IOException {
        try (JarFile sources = new JarFile(attached("sources").toFile())) {
            assertNotNull(sources.getEntry("dev/kaio/AioFile.java"));
            assertNotNull(sources.getEntry("module-info.java"));
            assertTrue(sources.stream().noneMatch(e -> e.getName().startsWith("dev/kaio/tools/")), "no tool sources");
        }
        try (JarFile javadoc = new JarFile(attached("javadoc").toFile())) {
            assertNotNull(javadoc.getEntry("index.html"));
            assertNotNull(javadoc.getEntry("dev.kaio/dev/kaio/AioFile.html"));
            assertNotNull(javadoc.getEntry("dev.kaio/dev/kaio/engine/AioQueue.html"));
            assertNull(javadoc.getEntry("dev.kaio/dev/kaio/internal/sys/Libc.html"), "internals are not documented");
        }
    }
}
