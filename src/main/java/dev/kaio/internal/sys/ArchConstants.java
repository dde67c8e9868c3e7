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

import dev.kaio.internal.linux.LinuxAarch64;
import dev.kaio.internal.linux.LinuxX86_64;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Every constant whose value depends on the CPU architecture (the AIO system call numbers and the
 * open flags {@code O_DIRECT}, {@code O_DIRECTORY}, {@code O_NOFOLLOW}), taken from the generated
 * bindings of the architecture this JVM runs on, chosen once from {@code os.arch}. This is the only
 * class that reads {@code LinuxX86_64} or {@code LinuxAarch64}; everything else in the generated
 * package ({@code LinuxH}, the struct classes) is the same on every supported architecture, which
 * jextract.sh checks when it generates them.
 *
 * <p>Why it matters: on aarch64, x86_64's io_setup..io_cancel numbers (206-210) are socket calls and
 * x86_64's {@code O_DIRECT} is {@code O_DIRECTORY}, so running one architecture's numbers on the other
 * is never harmless.
 *
 * {@snippet :
 * long ret = syscall(ArchConstants.NR_IO_SETUP, nrEvents, ctxp); // 206 on x86_64, 0 on aarch64
 * }
 *
 * <p>Reading a field links the generated bindings; call {@link NativeAccess#ensureEnabled()} first
 * (on an unsupported architecture it throws with the reason, and so does initialising this class).
 */
public final class ArchConstants {

    /**
     * The architectures kaio has bindings for. Identifying one ({@link #current()}) reads only system
     * properties: it does not initialise any generated class.
     */
    public enum Arch {
        /** Linux on x86_64 (os.arch {@code amd64} or {@code x86_64}). */
        X86_64("linux-x86_64", LinuxX86_64.class.getSimpleName()),
        /** Linux on 64-bit ARM, little-endian (os.arch {@code aarch64}). */
        AARCH64("linux-aarch64", LinuxAarch64.class.getSimpleName());

        private static final Arch CURRENT = of(System.getProperty("os.arch", ""), ByteOrder.nativeOrder());

        private final String platform;
        private final String bindings;

        Arch(String platform, String bindings) {
            this.platform = platform;
            this.bindings = bindings;
        }

        /** The architecture of an {@code os.arch} value and byte order, or null if kaio has no bindings for it. */
        public static Arch of(String osArch, ByteOrder order) {
            if (order != ByteOrder.LITTLE_ENDIAN) {
                return null; // struct iocb's key/aio_rw_flags order and every layout assume little-endian
            }
            return switch (osArch.toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64" -> X86_64;
                case "aarch64" -> AARCH64;
                default -> null;
            };
        }

        /** This JVM's architecture, or null when kaio has no bindings for it. */
        public static Arch current() {
            return CURRENT;
        }

        /** {@code linux-x86_64} or {@code linux-aarch64}. */
        public String platform() {
            return platform;
        }

        /** The simple name of the generated class that holds this architecture's constants. */
        public String bindings() {
            return bindings;
        }

        /**
         * Which bindings this JVM uses, for {@code kaio doctor}: e.g. {@code linux-aarch64 (generated
         * LinuxAarch64 + shared LinuxH)}, or why there are none.
         */
        public static String describeCurrent() {
            Arch arch = current();
            return arch == null ? "none: " + NativeAccess.platformProblem()
                    : arch.platform + " (generated " + arch.bindings + " + shared LinuxH)";
        }
    }

    /**
     * One architecture's values, named as in C (so that a test can compare each with the generated
     * class of the same name).
     */
    record Values(int __NR_io_setup, int __NR_io_destroy, int __NR_io_submit, int __NR_io_getevents,
            int __NR_io_cancel, int __NR_io_pgetevents, int O_DIRECT, int O_DIRECTORY, int O_NOFOLLOW) {}

    static Values of(Arch arch) {
        return switch (arch) {
            case X86_64 -> new Values(LinuxX86_64.__NR_io_setup(), LinuxX86_64.__NR_io_destroy(),
                    LinuxX86_64.__NR_io_submit(), LinuxX86_64.__NR_io_getevents(), LinuxX86_64.__NR_io_cancel(),
                    LinuxX86_64.__NR_io_pgetevents(), LinuxX86_64.O_DIRECT(), LinuxX86_64.O_DIRECTORY(),
                    LinuxX86_64.O_NOFOLLOW());
            case AARCH64 -> new Values(LinuxAarch64.__NR_io_setup(), LinuxAarch64.__NR_io_destroy(),
                    LinuxAarch64.__NR_io_submit(), LinuxAarch64.__NR_io_getevents(), LinuxAarch64.__NR_io_cancel(),
                    LinuxAarch64.__NR_io_pgetevents(), LinuxAarch64.O_DIRECT(), LinuxAarch64.O_DIRECTORY(),
                    LinuxAarch64.O_NOFOLLOW());
        };
    }

    private static final Values CURRENT = currentValues();

    /** {@code __NR_io_setup}. */
    public static final int NR_IO_SETUP = CURRENT.__NR_io_setup();
    /** {@code __NR_io_destroy}. */
    public static final int NR_IO_DESTROY = CURRENT.__NR_io_destroy();
    /** {@code __NR_io_submit}. */
    public static final int NR_IO_SUBMIT = CURRENT.__NR_io_submit();
    /** {@code __NR_io_getevents}. */
    public static final int NR_IO_GETEVENTS = CURRENT.__NR_io_getevents();
    /** {@code __NR_io_cancel}. */
    public static final int NR_IO_CANCEL = CURRENT.__NR_io_cancel();
    /** {@code __NR_io_pgetevents} (not called by kaio; kept with the other AIO numbers). */
    public static final int NR_IO_PGETEVENTS = CURRENT.__NR_io_pgetevents();
    /** {@code O_DIRECT}. */
    public static final int O_DIRECT = CURRENT.O_DIRECT();
    /** {@code O_DIRECTORY}. */
    public static final int O_DIRECTORY = CURRENT.O_DIRECTORY();
    /** {@code O_NOFOLLOW}. */
    public static final int O_NOFOLLOW = CURRENT.O_NOFOLLOW();

    private ArchConstants() {}

    private static Values currentValues() {
        Arch arch = Arch.current();
        if (arch == null) {
            throw new UnsupportedOperationException(NativeAccess.platformProblem());
        }
        return of(arch);
    }
}
