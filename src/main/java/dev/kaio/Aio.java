package dev.kaio;

import dev.kaio.internal.sys.AioSysctl;
import dev.kaio.internal.sys.KernelContexts;
import dev.kaio.internal.sys.KernelProbe;
import dev.kaio.internal.sys.NativeAccess;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
     */
    public static boolean isAvailable() {
        return Availability.CAUSE == null;
    }

    /** Why {@link #isAvailable()} is false (the exception kaio would throw), or null. */
    public static Throwable unavailabilityCause() {
        return Availability.CAUSE;
    }

    /**
     * The kernel's AIO features, probed once with real requests on a scratch file in
     * {@code java.io.tmpdir}.
     *
     * @throws UnsupportedOperationException if AIO is not available (see {@link #unavailabilityCause()})
     */
    public static AioFeatures features() {
        if (!isAvailable()) {
            throw new UnsupportedOperationException("Linux AIO is not available: "
                    + unavailabilityCause().getMessage(), unavailabilityCause());
        }
        return Probe.FEATURES;
    }

    /** The current {@code fs.aio-max-nr} and {@code fs.aio-nr} (read now, not cached). */
    public static AioLimits limits() {
        return new AioLimits(AioSysctl.maxNr(), AioSysctl.nr());
    }
}
