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
package dev.kaio.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.internal.linux.LinuxAarch64;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.LinuxX86_64;
import dev.kaio.internal.sys.ArchConstants.Arch;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The architecture selector: which os.arch values get which generated bindings, that every constant
 * that differs between the architectures is reached through it (and only through it), and that each
 * architecture's values are the ones jextract generated for it. (LayoutTest proves the generated
 * values against each architecture's C compiler.)
 */
class ArchConstantsTest {

    @Test
    void osArchValuesSelectTheirBindings() {
        assertEquals(Arch.X86_64, Arch.of("amd64", ByteOrder.LITTLE_ENDIAN));
        assertEquals(Arch.X86_64, Arch.of("x86_64", ByteOrder.LITTLE_ENDIAN));
        assertEquals(Arch.AARCH64, Arch.of("aarch64", ByteOrder.LITTLE_ENDIAN));
        assertEquals("LinuxX86_64", Arch.X86_64.bindings());
        assertEquals("LinuxAarch64", Arch.AARCH64.bindings());
        assertEquals("linux-aarch64", Arch.AARCH64.platform());
    }

    @Test
    void otherArchitecturesAndBigEndianAreRefusedWithAClearMessage() {
        for (String arch : new String[] {"riscv64", "ppc64le", "s390x", "arm", "x86", "loongarch64"}) {
            assertNull(Arch.of(arch, ByteOrder.LITTLE_ENDIAN), arch);
            String problem = NativeAccess.platformProblem("Linux", arch, ByteOrder.LITTLE_ENDIAN);
            assertTrue(problem.startsWith("unsupported architecture: "), problem);
            assertTrue(problem.contains("this JVM runs on " + arch), problem);
            assertTrue(problem.contains("x86_64 and aarch64"), problem);
        }
        assertNull(Arch.of("aarch64", ByteOrder.BIG_ENDIAN));
        String bigEndian = NativeAccess.platformProblem("Linux", "aarch64", ByteOrder.BIG_ENDIAN);
        assertTrue(bigEndian.startsWith("unsupported architecture: ") && bigEndian.endsWith("aarch64 (big-endian)"),
                bigEndian);
        assertNull(NativeAccess.platformProblem("Linux", "aarch64", ByteOrder.LITTLE_ENDIAN));
        assertNull(NativeAccess.platformProblem("Linux", "amd64", ByteOrder.LITTLE_ENDIAN));
        assertTrue(NativeAccess.platformProblem("Mac OS X", "aarch64", ByteOrder.LITTLE_ENDIAN).contains("Mac OS X"));
    }

    @Test
    void thisJvmUsesTheBindingsOfItsArchitecture() {
        Arch arch = Arch.of(System.getProperty("os.arch"), ByteOrder.nativeOrder());
        assertEquals(arch, Arch.current());
        assertEquals(arch.platform() + " (generated " + arch.bindings() + " + shared LinuxH)", Arch.describeCurrent());
        ArchConstants.Values values = ArchConstants.of(arch);
        assertEquals(values.__NR_io_setup(), ArchConstants.NR_IO_SETUP);
        assertEquals(values.__NR_io_destroy(), ArchConstants.NR_IO_DESTROY);
        assertEquals(values.__NR_io_submit(), ArchConstants.NR_IO_SUBMIT);
        assertEquals(values.__NR_io_getevents(), ArchConstants.NR_IO_GETEVENTS);
        assertEquals(values.__NR_io_cancel(), ArchConstants.NR_IO_CANCEL);
        assertEquals(values.__NR_io_pgetevents(), ArchConstants.NR_IO_PGETEVENTS);
        assertEquals(values.O_DIRECT(), ArchConstants.O_DIRECT);
        assertEquals(values.O_DIRECTORY(), ArchConstants.O_DIRECTORY);
        assertEquals(values.O_NOFOLLOW(), ArchConstants.O_NOFOLLOW);
    }

    @Test
    void eachArchitectureGetsItsOwnGeneratedValues() throws Exception {
        for (Arch arch : Arch.values()) {
            Class<?> generated = arch == Arch.X86_64 ? LinuxX86_64.class : LinuxAarch64.class;
            assertEquals(arch.bindings(), generated.getSimpleName());
            ArchConstants.Values values = ArchConstants.of(arch);
            for (RecordComponent c : ArchConstants.Values.class.getRecordComponents()) {
                assertEquals(generated.getMethod(c.getName()).invoke(null), c.getAccessor().invoke(values),
                        arch + " " + c.getName());
            }
        }
        // the selection matters: the two architectures' values are not the same
        assertNotEquals(ArchConstants.of(Arch.X86_64), ArchConstants.of(Arch.AARCH64));
    }

    @Test
    void everyConstantThatDiffersGoesThroughTheSelectorAndNoneIsShared() throws Exception {
        Set<String> selector = new TreeSet<>();
        for (RecordComponent c : ArchConstants.Values.class.getRecordComponents()) {
            selector.add(c.getName());
            String field = c.getName().replaceFirst("^__", "").toUpperCase(Locale.ROOT);
            assertTrue(Modifier.isStatic(ArchConstants.class.getField(field).getModifiers()), field);
        }
        assertEquals(constants(LinuxX86_64.class), selector, "LinuxX86_64's constants");
        assertEquals(constants(LinuxAarch64.class), selector, "LinuxAarch64's constants");
        for (String name : selector) {
            assertFalse(constants(LinuxH.class).contains(name), name + " is in the shared LinuxH as well");
        }
    }

    static Set<String> constants(Class<?> header) {
        Set<String> names = new TreeSet<>();
        for (Method m : header.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                    && (m.getReturnType() == int.class || m.getReturnType() == long.class)) {
                names.add(m.getName());
            }
        }
        return names;
    }
}
