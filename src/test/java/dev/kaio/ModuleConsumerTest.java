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
package dev.kaio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.TestFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * A program outside the project, on the module path, using only the public surface: it writes with
 * writev through O_DIRECT, fdatasyncs, reads back with readv and compares with FileChannel. And a
 * program that reaches for the bindings does not compile: the module does not export them.
 */
class ModuleConsumerTest {

    static final String MODULE_INFO = "module kaio.consumer { requires dev.kaio; }\n";

    static final String MAIN = """
            package consumer;

            import dev.kaio.*;
            import java.lang.foreign.*;
            import java.nio.ByteBuffer;
            import java.nio.channels.FileChannel;
            import java.nio.file.*;
            import java.util.*;
            import static java.nio.file.StandardOpenOption.*;

            public class Main {
                public static void main(String[] args) throws Exception {
                    Path path = Path.of(args[0]);
                    try (AioContext ctx = AioContext.open(8);
                         AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE, AioOpenOption.DIRECT);
                         Arena arena = Arena.ofShared()) {
                        int a = file.alignment();
                        List<MemorySegment> out = new ArrayList<>();
                        List<MemorySegment> in = new ArrayList<>();
                        Random random = new Random(7);
                        long total = 0;
                        for (int i = 1; i <= 5; i++) {
                            byte[] bytes = new byte[a * i];
                            random.nextBytes(bytes);
                            MemorySegment s = DirectBuffers.allocate(arena, bytes.length, a);
                            s.copyFrom(MemorySegment.ofArray(bytes));
                            out.add(s);
                            in.add(DirectBuffers.allocate(arena, bytes.length, a));
                            total += bytes.length;
                        }
                        long written = file.writev(out, a).join();
                        file.fdatasync().join();
                        long read = file.readv(in, a).join();
                        ByteBuffer viaChannel = ByteBuffer.allocate((int) total);
                        try (FileChannel ch = FileChannel.open(path, READ)) {
                            while (viaChannel.hasRemaining() && ch.read(viaChannel, a + viaChannel.position()) > 0) { }
                        }
                        long pos = 0;
                        for (int i = 0; i < in.size(); i++) {
                            MemorySegment s = in.get(i);
                            if (s.mismatch(out.get(i)) != -1) throw new AssertionError("readv segment " + i + " differs");
                            if (MemorySegment.ofArray(viaChannel.array()).asSlice(pos, s.byteSize()).mismatch(s) != -1)
                                throw new AssertionError("FileChannel differs in segment " + i);
                            pos += s.byteSize();
                        }
                        System.out.println("OK written=" + written + " read=" + read + " fc=" + viaChannel.position()
                                + " alignment=" + a);
                    }
                }
            }
            """;

    static final String INTERNAL_USER = """
            package consumer;
            public class Internal { int x = dev.kaio.internal.linux.LinuxH.IOV_MAX(); }
            """;

    @Test
    void aModularProgramUsesThePublicSurfaceOnly() throws Exception {
        Path kaio = Path.of(System.getProperty("kaio.test.classes", "target/classes")).toAbsolutePath();
        assertTrue(Files.isRegularFile(kaio.resolve("module-info.class")), "no compiled module at " + kaio);
        Path work = TestFiles.newDirectory("consumer");
        Path src = work.resolve("src/kaio.consumer");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("consumer/Main.java"), MAIN);
        Path out = work.resolve("out");

        var javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the test JVM must be a JDK");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, new PrintStream(err, true, StandardCharsets.UTF_8), "-d", out.toString(),
                "--module-path", kaio.toString(), src.resolve("module-info.java").toString(),
                src.resolve("consumer/Main.java").toString());
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));

        // the bindings are not exported
        Files.writeString(src.resolve("consumer/Internal.java"), INTERNAL_USER);
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        int rc2 = javac.run(null, null, new PrintStream(err2, true, StandardCharsets.UTF_8), "-d",
                work.resolve("out2").toString(), "--module-path", kaio.toString(),
                src.resolve("module-info.java").toString(), src.resolve("consumer/Internal.java").toString());
        assertNotEquals(0, rc2);
        String javacSays = err2.toString(StandardCharsets.UTF_8);
        assertTrue(javacSays.contains("package dev.kaio.internal.linux is not visible")
                || javacSays.contains("does not export dev.kaio.internal.linux"),
                javacSays);

        String java = ProcessHandle.current().info().command().orElseThrow();
        Path data = work.resolve("data.bin");
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=dev.kaio", "--module-path",
                kaio + ":" + out, "-m", "kaio.consumer/consumer.Main", data.toString()))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.startsWith("OK written="), output);
        assertTrue(!output.contains("WARNING"), "no native-access warning on the module path: " + output);
    }
}
