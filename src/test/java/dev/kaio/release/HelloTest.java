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
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's complete program ("Use it", between its use-it markers) compiles and runs as the README
 * says: {@code java --enable-native-access=ALL-UNNAMED -cp kaio.jar Hello.java FILE}, here with the
 * library's classes for the jar.
 */
class HelloTest {

    @Test
    void theReadmeProgramRunsAsShown() throws Exception {
        String readme = Files.readString(SourceHeadersTest.root().resolve("README.md"));
        int begin = readme.indexOf("<!-- use-it:begin -->");
        int end = readme.indexOf("<!-- use-it:end -->");
        assertTrue(begin >= 0 && end > begin, "README.md has no use-it block");
        String block = readme.substring(begin, end);
        String program = block.substring(block.indexOf("```java") + "```java".length(), block.lastIndexOf("```"));
        assertTrue(program.contains("public class Hello"), program);

        Path dir = TestFiles.newDirectory("hello");
        Path source = dir.resolve("Hello.java");
        Files.writeString(source, program);
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(System.getProperty("kaio.test.classes", "target/classes")).toAbsolutePath().toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classes,
                source.toString(), dir.resolve("hello.dat").toString())).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out");
        assertEquals(0, p.exitValue(), output);
        assertEquals("kaio " + System.getProperty("kaio.test.version")
                + ": wrote 4096, read 4096 bytes: hello from Linux AIO\n", output);
    }
}
