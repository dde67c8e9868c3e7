/**
 * kaio: Linux kernel AIO (io_setup, io_submit, io_getevents, io_cancel, io_destroy) for Java,
 * through the Foreign Function &amp; Memory API, without libaio.
 *
 * <ul>
 *   <li>{@link dev.kaio} - the file API: {@link dev.kaio.AioContext}, {@link dev.kaio.AioFile},
 *       futures, a reaper thread per context.</li>
 *   <li>{@link dev.kaio.engine} - the low-level engine for storage engines and benchmarks:
 *       {@link dev.kaio.engine.AioQueue} (prepare, batch submit, reap by tag, no allocation) and
 *       {@link dev.kaio.engine.RawFile}.</li>
 * </ul>
 *
 * The jextract bindings ({@code dev.kaio.internal.linux}) and the system-call layer
 * ({@code dev.kaio.internal.sys}) are not exported. Run with {@code --enable-native-access=dev.kaio}.
 */
module dev.kaio {
    // JFR events when the runtime has JFR (a jlinked runtime may not): see dev.kaio.internal.jfr.Tracing
    requires static jdk.jfr;

    exports dev.kaio;
    exports dev.kaio.engine;

    // JFR reads the event classes' fields for their metadata
    opens dev.kaio.internal.jfr to jdk.jfr;
}
