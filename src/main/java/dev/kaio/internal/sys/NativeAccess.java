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

import java.nio.ByteOrder;

/**
 * Whether kaio may call native code, checked once before any restricted FFM method is used.
 *
 * <p>Linking a downcall is a restricted operation. When native access is not enabled for kaio's
 * module the JDK (22-25) only prints a generic warning on the first restricted call, or throws when
 * {@code --illegal-native-access=deny} is set. kaio checks first instead, so the library always
 * loads, and every entry point that needs the kernel fails with one exact message that names the
 * flag to add.
 */
public final class NativeAccess {

    private static final Module MODULE = NativeAccess.class.getModule();

    /** The command-line flag that enables native access for the way kaio was loaded. */
    public static final String FLAG = MODULE.isNamed()
            ? "--enable-native-access=" + MODULE.getName()
            : "--enable-native-access=ALL-UNNAMED";

    /** The one message kaio gives when native access is not enabled. */
    public static final String MESSAGE = "kaio needs native access to call the Linux AIO system calls: start java with "
            + FLAG + (MODULE.isNamed() ? "" : " (kaio is on the class path; on the module path use --enable-native-access=dev.kaio)");

    private static final String PLATFORM_PROBLEM = platformProblem();

    /*
     * Read before any generated binding class is initialised: jextract's header class calls a
     * restricted method (AddressLayout.withTargetLayout) in its static initialiser, and in the JDK's
     * default "warn" mode that first call prints the JDK's warning and then enables native access for
     * the module, after which Module.isNativeAccessEnabled() would answer true. Every public class
     * whose initialisation reaches the bindings calls init() first, so this is the state the
     * command line asked for.
     */
    private static final boolean ENABLED = MODULE.isNativeAccessEnabled();

    private NativeAccess() {}

    /** Initialises this class; public classes call it before touching the generated bindings. */
    public static void init() {
        // the work is in the static initialiser
    }

    /** True when native access was enabled for kaio's module on the command line (or manifest). */
    public static boolean isEnabled() {
        return ENABLED;
    }

    /** True when kaio can call native code: the platform matches the bindings and native access is enabled. */
    public static boolean canCall() {
        return PLATFORM_PROBLEM == null && ENABLED;
    }

    /**
     * Null when kaio can run here, otherwise why not: kaio drives Linux, with bindings generated for
     * x86_64 and aarch64 (little-endian); see {@link ArchConstants}.
     */
    public static String platformProblem() {
        return platformProblem(System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
                ByteOrder.nativeOrder());
    }

    /** {@link #platformProblem()} for the given {@code os.name}, {@code os.arch} and byte order. */
    static String platformProblem(String os, String arch, ByteOrder order) {
        if (!os.equals("Linux")) {
            return "kaio drives the Linux kernel AIO interface and cannot run on " + os;
        }
        if (ArchConstants.Arch.of(arch, order) == null) {
            return "unsupported architecture: kaio has Linux bindings (system call numbers, open flags, struct "
                    + "layouts) for x86_64 and aarch64, little-endian; this JVM runs on " + arch
                    + (order == ByteOrder.BIG_ENDIAN ? " (big-endian)" : "");
        }
        return null;
    }

    /**
     * Throws {@link UnsupportedOperationException} with an exact message unless kaio can call the
     * kernel from this JVM.
     */
    public static void ensureEnabled() {
        if (PLATFORM_PROBLEM != null) {
            throw new UnsupportedOperationException(PLATFORM_PROBLEM);
        }
        if (!isEnabled()) {
            throw new UnsupportedOperationException(MESSAGE);
        }
    }
}
