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

import dev.kaio.internal.sys.AioSysctl;
import dev.kaio.internal.sys.KernelContexts;
import dev.kaio.internal.sys.KernelProbe;
import dev.kaio.internal.sys.NativeAccess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Whether Linux AIO can be used from this JVM, and what the kernel supports.
 *
 * {@snippet :
 * if (!Aio.isAvailable()) {
 *     log.warn("falling back to FileChannel: " + Aio.unavailabilityCause().getMessage());
 * }
 * }
 */
public final class Aio {

    static {
        NativeAccess.init(); // before any use of the generated bindings: see NativeAccess
    }

    private Aio() {}

    private static final class Availability {
        static final Throwable CAUSE = check();

        private static Throwable check() {
            try {
                NativeAccess.ensureEnabled();
                long ctx = KernelContexts.setup(1);
                KernelContexts.destroy(ctx);
                return null;
            } catch (AioException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return null; // the kernel has AIO; only fs.aio-max-nr is exhausted right now
                }
                return e; // ENOSYS: kernel without CONFIG_AIO, or a seccomp filter / sandbox refusing it
            } catch (RuntimeException | LinkageError e) {
                return e;
            }
        }
    }

    private static final class Probe {
        static final AioFeatures FEATURES = probe();

        private static AioFeatures probe() {
            KernelProbe.Result r = KernelProbe.run(Path.of(System.getProperty("java.io.tmpdir")));
            Map<String, String> details = new LinkedHashMap<>();
            details.put("FSYNC", r.fsync().detail());
            details.put("FDSYNC", r.fdsync().detail());
            details.put("POLL", r.poll().detail());
            details.put("NOWAIT", r.nowait().detail());
            details.put("DIOALIGN", r.dioalign().detail());
            return new AioFeatures(r.kernelRelease(), r.fsync().supported(), r.fdsync().supported(),
                    r.poll().supported(), r.nowait().supported(), r.dioalign().supported(), Map.copyOf(details));
        }
    }

    /**
     * True if kaio can drive the kernel here: Linux on x86_64 or aarch64, native access enabled, and io_setup works
     * (a kernel with CONFIG_AIO, not blocked by seccomp). Checked once.
     *
     * @return true if Linux AIO can be used from this JVM
     */
    public static boolean isAvailable() {
        return Availability.CAUSE == null;
    }

    /**
     * Why {@link #isAvailable()} is false.
     *
     * @return the exception kaio would throw, or null if AIO is available
     */
    public static Throwable unavailabilityCause() {
        return Availability.CAUSE;
    }

    /**
     * The kernel's AIO features, probed once with real requests on a scratch file in
     * {@code java.io.tmpdir}.
     *
     * @return what the kernel supports, with one line of detail per probe
     * @throws UnsupportedOperationException if AIO is not available (see {@link #unavailabilityCause()})
     */
    public static AioFeatures features() {
        if (!isAvailable()) {
            throw new UnsupportedOperationException("Linux AIO is not available: "
                    + unavailabilityCause().getMessage(), unavailabilityCause());
        }
        return Probe.FEATURES;
    }

    /**
     * The current {@code fs.aio-max-nr} and {@code fs.aio-nr} (read now, not cached).
     *
     * @return the system-wide limit and use of AIO events
     */
    public static AioLimits limits() {
        return new AioLimits(AioSysctl.maxNr(), AioSysctl.nr());
    }

    /**
     * kaio's version, e.g. {@code "0.1.0"}: the version of the artifact {@code dev.kaio:kaio} this
     * class was loaded from, recorded in it at build time. It does not need native access, and it is
     * the same on the class path and on the module path; on the module path the module descriptor
     * carries it too:
     * {@snippet :
     * String version = Aio.version();                               // "0.1.0"
     * Optional<String> same = Aio.class.getModule().getDescriptor().rawVersion();
     * }
     *
     * @return the version, or {@code "unknown"} if the build's record of it is missing
     */
    public static String version() {
        return Version.VALUE;
    }

    private static final class Version {
        static final String VALUE = read();

        private static String read() {
            // dev/kaio/version.properties, filled in by the build (resource filtering of ${project.version})
            try (InputStream in = Aio.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    return p.getProperty("version", "unknown");
                }
            } catch (IOException e) {
                // fall through: a damaged jar
            }
            return "unknown";
        }
    }
}
