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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The library's javadoc, as the published -javadoc jar is built (the module's exported packages and
 * src/main/javadoc/overview.html), with every doclint check on: no errors, and no warnings except the
 * known ones listed in {@link #KNOWN_WARNINGS}. This is the build's gate on javadoc warnings.
 */
class JavadocTest {

    /**
     * Warnings that are known and owned elsewhere: source file name to count (a count that drops must
     * be lowered here: the test fails until it is; never raise one). None today.
     */
    static final Map<String, Integer> KNOWN_WARNINGS = Map.of();

    @Test
    void theJavadocHasNoWarningsBeyondTheKnownOnes() throws IOException {
        Path root = SourceHeadersTest.root();
        Path out = TestFiles.newDirectory("javadoc");
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        assertNotNull(javadoc, "the test JVM must be a JDK");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok;
        try (StandardJavaFileManager files = javadoc.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("-Xdoclint:all", "-quiet", "-Xmaxwarns", "100000", "-Xmaxerrs", "100000",
                    "-d", out.toString(),
                    "--module-source-path", "dev.kaio=" + root.resolve("src/main/java"),
                    "--module", "dev.kaio",
                    "-overview", root.resolve("src/main/javadoc/overview.html").toString());
            ok = javadoc.getTask(null, files, diagnostics, null, options, null).call();
        }
        Map<String, Integer> counts = new TreeMap<>();
        List<String> unexpected = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            String where = d.getSource() == null ? "javadoc" : Path.of(d.getSource().toUri()).getFileName().toString();
            String line = where + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT);
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(line);
            } else if (d.getKind() == Diagnostic.Kind.WARNING || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
                counts.merge(where, 1, Integer::sum);
                if (!KNOWN_WARNINGS.containsKey(where)) {
                    unexpected.add(line);
                }
            }
        }
        assertTrue(errors.isEmpty(), "javadoc errors:\n" + String.join("\n", errors));
        assertTrue(ok, "javadoc failed");
        assertTrue(unexpected.isEmpty(), unexpected.size() + " javadoc warnings:\n" + String.join("\n", unexpected));
        for (Map.Entry<String, Integer> known : KNOWN_WARNINGS.entrySet()) {
            assertEquals(known.getValue(), counts.getOrDefault(known.getKey(), 0), "javadoc warnings in "
                    + known.getKey() + " (update KNOWN_WARNINGS when they are fixed; never add to it)");
        }
        assertTrue(Files.isRegularFile(out.resolve("dev.kaio/dev/kaio/AioFile.html")), "no page for AioFile");
        assertTrue(Files.readString(out.resolve("index.html")).contains("Where to start"), "the overview page");
    }
}
