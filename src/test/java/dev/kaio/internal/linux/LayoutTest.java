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

import dev.kaio.internal.sys.ArchConstants.Arch;
import dev.kaio.testing.Commands;
import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Proves the committed jextract output against the C compiler of each architecture: a C program
 * generated from the bindings themselves prints sizeof/offsetof of every struct and field, and the
 * value of every constant, as that architecture's gcc sees them through native-headers/kaio_linux.h
 * and its kernel and libc headers; each must equal what the Java layouts and constants say (the
 * shared {@code LinuxH} and struct classes for every architecture, {@code LinuxX86_64} or
 * {@code LinuxAarch64} for its own).
 *
 * <p>This machine's architecture is compiled with gcc and run natively; the other one with its cross
 * compiler ({@code -static}) and run under qemu-user, which is enough for constants and layouts
 * (qemu-user has no io_setup). Each architecture is skipped, naming what is missing, where its
 * compiler or emulator is not installed (.ci/run installs them).
 */
class LayoutTest {

    /** The generated struct classes; each is checked field by field. */
    static final List<Class<?>> STRUCTS = List.of(iocb.class, io_event.class, iovec.class, statx.class,
            statx_timestamp.class, kaio_aio_ring.class, flock.class, timespec.class, pollfd.class);

    /** What each architecture's probe printed, or why it could not run. */
    static final Map<Arch, Probe> PROBES = new EnumMap<>(Arch.class);

    record Probe(Map<String, Long> values, String machine, String missing) {}

    static synchronized Map<String, Long> probe(Arch arch) throws Exception {
        Probe p = PROBES.get(arch);
        if (p == null) {
            p = compileAndRun(arch);
            PROBES.put(arch, p);
        }
        assumeTrue(p.missing() == null, p.missing());
        assertEquals(name(arch), p.machine(), "the " + name(arch) + " probe ran on another machine type");
        return p.values();
    }

    /** kaio's (and uname's) name of the architecture. */
    static String name(Arch arch) {
        return switch (arch) {
            case X86_64 -> "x86_64";
            case AARCH64 -> "aarch64";
        };
    }

    static Probe compileAndRun(Arch arch) throws Exception {
        String name = name(arch);
        boolean nativeArch = name.equals(hostMachine());
        List<String> compiler;
        List<String> runner = List.of();
        if (nativeArch) {
            if (find("gcc").isEmpty()) {
                return new Probe(null, null, "gcc is not on PATH: it is needed to compare the " + name
                        + " layouts and constants with C (Debian: gcc, libc6-dev)");
            }
            compiler = List.of("gcc");
        } else {
            String cross = name + "-linux-gnu-gcc";
            Optional<Path> gcc = find(cross).or(() -> find(cross + "-12"));
            if (gcc.isEmpty()) {
                return new Probe(null, null, cross + " is not on PATH: it is needed to compare the " + name
                        + " layouts and constants with C (Debian: gcc-" + name + "-linux-gnu, libc6-dev-"
                        + debianArch(arch) + "-cross)");
            }
            Optional<Path> qemu = find("qemu-" + name + "-static").or(() -> find("qemu-" + name));
            if (qemu.isEmpty()) {
                return new Probe(null, null, "qemu-" + name + "-static is not on PATH: it runs the " + name
                        + " probe on this " + hostMachine() + " machine (Debian: qemu-user-static)");
            }
            compiler = List.of(gcc.get().toString(), "-static");
            runner = List.of(qemu.get().toString());
        }
        Path header = Path.of("native-headers/kaio_linux.h").toAbsolutePath();
        assertTrue(Files.isRegularFile(header), "missing " + header);
        Path dir = Files.createTempDirectory("kaio-layout-" + name);
        Path source = dir.resolve("probe.c");
        Files.writeString(source, probeSource(header, arch));
        Path exe = dir.resolve("probe");
        List<String> compile = new ArrayList<>(compiler);
        compile.addAll(List.of("-std=gnu11", "-Wall", "-Werror", "-o", exe.toString(), source.toString()));
        Commands.run(compile);
        List<String> run = new ArrayList<>(runner);
        run.add(exe.toString());
        String out = Commands.run(run);
        Map<String, Long> values = new LinkedHashMap<>();
        String machine = null;
        for (String line : out.split("\n")) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2 && kv[0].equals("machine")) {
                machine = kv[1];
            } else if (kv.length == 2 && kv[1].matches("-?[0-9]+")) {
                values.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return new Probe(values, machine, null);
    }

    static String probeSource(Path header, Arch arch) {
        StringBuilder c = new StringBuilder();
        c.append("#include \"").append(header).append("\"\n#include <stddef.h>\n#include <stdio.h>\n");
        c.append("#include <sys/utsname.h>\n");
        c.append("int main(void) {\n");
        c.append("  struct utsname u;\n  if (uname(&u) == 0) printf(\"machine %s\\n\", u.machine);\n");
        for (Class<?> s : STRUCTS) {
            String name = s.getSimpleName();
            c.append("  printf(\"sizeof.%s %%zu\\n\", sizeof(struct %s));\n".formatted(name, name));
            for (String field : fields(s)) {
                c.append("  printf(\"offsetof.%s.%s %%zu\\n\", offsetof(struct %s, %s));\n"
                        .formatted(name, field, name, field));
            }
        }
        for (Method m : constants(arch)) {
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

    /** The generated class of an architecture's own constants. */
    static Class<?> archClass(Arch arch) {
        return switch (arch) {
            case X86_64 -> LinuxX86_64.class;
            case AARCH64 -> LinuxAarch64.class;
        };
    }

    /**
     * Every constant accessor of the shared header class and of the architecture's own class (they hold
     * constants only: no functions are extracted).
     */
    static List<Method> constants(Arch arch) {
        List<Method> out = new ArrayList<>();
        for (Class<?> header : List.of(LinuxH.class, archClass(arch))) {
            for (Class<?> c = header; c != Object.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())
                            && m.getParameterCount() == 0
                            && (m.getReturnType() == int.class || m.getReturnType() == long.class)) {
                        out.add(m);
                    }
                }
            }
        }
        out.sort(Comparator.comparing(Method::getName));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Arch.class)
    void structSizesMatchGcc(Arch arch) throws Exception {
        Map<String, Long> gcc = probe(arch);
        for (Class<?> s : STRUCTS) {
            GroupLayout layout = (GroupLayout) s.getMethod("layout").invoke(null);
            assertEquals(gcc.get("sizeof." + s.getSimpleName()), layout.byteSize(),
                    name(arch) + ": sizeof(struct " + s.getSimpleName() + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Arch.class)
    void theKernelAbiSizesAreTheDocumentedOnes(Arch arch) throws Exception {
        Map<String, Long> gcc = probe(arch);
        assertEquals(64, iocb.sizeof(), "struct iocb");
        assertEquals(32, io_event.sizeof(), "struct io_event");
        assertEquals(16, iovec.sizeof(), "struct iovec");
        assertEquals(32, kaio_aio_ring.layout().byteSize(), "struct aio_ring header");
        assertEquals(64, gcc.get("sizeof.iocb"), name(arch));
        assertEquals(32, gcc.get("sizeof.io_event"), name(arch));
        assertEquals(16, gcc.get("sizeof.iovec"), name(arch));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Arch.class)
    void everyFieldOffsetMatchesGcc(Arch arch) throws Exception {
        Map<String, Long> gcc = probe(arch);
        int checked = 0;
        for (Class<?> s : STRUCTS) {
            for (String field : fields(s)) {
                long java = (long) s.getMethod(field + "$offset").invoke(null);
                assertEquals(gcc.get("offsetof." + s.getSimpleName() + "." + field), java,
                        name(arch) + ": offsetof(struct " + s.getSimpleName() + ", " + field + ")");
                checked++;
            }
        }
        assertTrue(checked >= 40, "only " + checked + " fields checked");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Arch.class)
    void everyConstantMatchesGcc(Arch arch) throws Exception {
        Map<String, Long> gcc = probe(arch);
        List<String> names = new ArrayList<>();
        for (Method m : constants(arch)) {
            long java = ((Number) m.invoke(null)).longValue();
            Long c = gcc.get("const." + m.getName());
            // jextract types a constant as int when it fits 32 bits; compare as C would after conversion
            if (m.getReturnType() == int.class && c != null) {
                c = (long) (int) (long) c;
            }
            assertEquals(c, java, name(arch) + ": " + m.getDeclaringClass().getSimpleName() + "." + m.getName());
            names.add(m.getName());
        }
        for (String expected : Arrays.asList("IOCB_CMD_PREAD", "IOCB_CMD_PWRITE", "IOCB_CMD_FSYNC", "IOCB_CMD_FDSYNC",
                "IOCB_CMD_POLL", "IOCB_CMD_PREADV", "IOCB_CMD_PWRITEV", "RWF_NOWAIT", "RWF_HIPRI", "RWF_DSYNC",
                "RWF_SYNC", "RWF_APPEND", "__NR_io_setup", "__NR_io_destroy", "__NR_io_submit", "__NR_io_getevents",
                "__NR_io_cancel", "O_DIRECT", "O_DIRECTORY", "O_NOFOLLOW", "BLKSSZGET", "STATX_DIOALIGN", "IOV_MAX")) {
            assertTrue(names.contains(expected), expected + " is not in the generated " + name(arch) + " bindings");
        }
    }

    static String hostMachine() throws IOException, InterruptedException {
        return Commands.run(List.of("uname", "-m")).trim();
    }

    static String debianArch(Arch arch) {
        return switch (arch) {
            case X86_64 -> "amd64";
            case AARCH64 -> "arm64";
        };
    }

    static Optional<Path> find(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
