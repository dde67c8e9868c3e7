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
package dev.kaio.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kaio.testing.Commands;
import java.lang.foreign.GroupLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the committed jextract output against the C compiler: a C program generated from the
 * bindings themselves prints sizeof/offsetof of every struct and field, and the value of every
 * constant, as gcc sees them through native-headers/kaio_linux.h; each must equal what the Java
 * layouts and constants say.
 */
class LayoutTest {

    /** The generated struct classes; each is checked field by field. */
    static final List<Class<?>> STRUCTS = List.of(iocb.class, io_event.class, iovec.class, statx.class,
            statx_timestamp.class, kaio_aio_ring.class, flock.class, timespec.class);

    static Map<String, Long> gcc;

    @BeforeAll
    static void compileAndRunProbe() throws Exception {
        assumeTrue(onPath("gcc"), "gcc is not on PATH: it is needed to compare the generated layouts with C");
        Path header = Path.of("native-headers/kaio_linux.h").toAbsolutePath();
        assertTrue(Files.isRegularFile(header), "missing " + header);
        Path dir = Files.createTempDirectory("kaio-layout");
        Path source = dir.resolve("probe.c");
        Files.writeString(source, probeSource(header));
        Path exe = dir.resolve("probe");
        Commands.run(List.of("gcc", "-std=gnu11", "-Wall", "-Werror", "-o", exe.toString(), source.toString()));
        String out = Commands.run(List.of(exe.toString()));
        gcc = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                String[] kv = line.trim().split(" ");
                gcc.put(kv[0], Long.parseLong(kv[1]));
            }
        }
    }

    static String probeSource(Path header) {
        StringBuilder c = new StringBuilder();
        c.append("#include \"").append(header).append("\"\n#include <stddef.h>\n#include <stdio.h>\n");
        c.append("int main(void) {\n");
        for (Class<?> s : STRUCTS) {
            String name = s.getSimpleName();
            c.append("  printf(\"sizeof.%s %%zu\\n\", sizeof(struct %s));\n".formatted(name, name));
            for (String field : fields(s)) {
                c.append("  printf(\"offsetof.%s.%s %%zu\\n\", offsetof(struct %s, %s));\n"
                        .formatted(name, field, name, field));
            }
        }
        for (Method m : constants()) {
            c.append("  printf(\"const.%s %%lld\\n\", (long long) (%s));\n".formatted(m.getName(), m.getName()));
        }
        c.append("  return 0;\n}\n");
        return c.toString();
    }

    static List<String> fields(Class<?> struct) {
        List<String> fields = new ArrayList<>();
        for (Method m : struct.getDeclaredMethods()) {
            if (m.getName().endsWith("$offset") && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0) {
                fields.add(m.getName().substring(0, m.getName().length() - "$offset".length()));
            }
        }
        fields.sort(Comparator.naturalOrder());
        return fields;
    }

    /** Every constant accessor of the header class (it holds constants only: no functions are extracted). */
    static List<Method> constants() {
        List<Method> out = new ArrayList<>();
        for (Class<?> c = LinuxH.class; c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())
                        && m.getParameterCount() == 0
                        && (m.getReturnType() == int.class || m.getReturnType() == long.class)) {
                    out.add(m);
                }
            }
        }
        out.sort(Comparator.comparing(Method::getName));
        return out;
    }

    @Test
    void structSizesMatchGcc() throws Exception {
        for (Class<?> s : STRUCTS) {
            GroupLayout layout = (GroupLayout) s.getMethod("layout").invoke(null);
            assertEquals(gcc.get("sizeof." + s.getSimpleName()), layout.byteSize(), "sizeof(struct " + s.getSimpleName() + ")");
        }
    }

    @Test
    void theKernelAbiSizesAreTheDocumentedOnes() {
        assertEquals(64, iocb.sizeof(), "struct iocb");
        assertEquals(32, io_event.sizeof(), "struct io_event");
        assertEquals(16, iovec.sizeof(), "struct iovec");
        assertEquals(32, kaio_aio_ring.layout().byteSize(), "struct aio_ring header");
        assertEquals(64, gcc.get("sizeof.iocb"));
        assertEquals(32, gcc.get("sizeof.io_event"));
        assertEquals(16, gcc.get("sizeof.iovec"));
    }

    @Test
    void everyFieldOffsetMatchesGcc() throws Exception {
        int checked = 0;
        for (Class<?> s : STRUCTS) {
            for (String field : fields(s)) {
                long java = (long) s.getMethod(field + "$offset").invoke(null);
                assertEquals(gcc.get("offsetof." + s.getSimpleName() + "." + field), java,
                        "offsetof(struct " + s.getSimpleName() + ", " + field + ")");
                checked++;
            }
        }
        assertTrue(checked >= 40, "only " + checked + " fields checked");
    }

    @Test
    void everyConstantMatchesGcc() throws Exception {
        List<String> names = new ArrayList<>();
        for (Method m : constants()) {
            long java = ((Number) m.invoke(null)).longValue();
            Long c = gcc.get("const." + m.getName());
            // jextract types a constant as int when it fits 32 bits; compare as C would after conversion
            if (m.getReturnType() == int.class && c != null) {
                c = (long) (int) (long) c;
            }
            assertEquals(c, java, m.getName());
            names.add(m.getName());
        }
        for (String expected : Arrays.asList("IOCB_CMD_PREAD", "IOCB_CMD_PWRITE", "IOCB_CMD_FSYNC", "IOCB_CMD_FDSYNC",
                "IOCB_CMD_POLL", "IOCB_CMD_PREADV", "IOCB_CMD_PWRITEV", "RWF_NOWAIT", "RWF_HIPRI", "RWF_DSYNC",
                "RWF_SYNC", "RWF_APPEND", "__NR_io_setup", "__NR_io_destroy", "__NR_io_submit", "__NR_io_getevents",
                "__NR_io_cancel", "O_DIRECT", "BLKSSZGET", "STATX_DIOALIGN", "IOV_MAX")) {
            assertTrue(names.contains(expected), expected + " is not in the generated bindings");
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
