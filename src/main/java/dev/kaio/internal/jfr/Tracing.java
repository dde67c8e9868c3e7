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
package dev.kaio.internal.jfr;

/**
 * kaio's JDK Flight Recorder events, when the runtime has JFR (the {@code jdk.jfr} module; a jlinked
 * runtime may not): a {@code dev.kaio.Request} event per request above a duration threshold (like the
 * JDK's {@code jdk.FileRead}), and a periodic {@code dev.kaio.Context} event per open context. Without
 * JFR, or while no recording enables them, these cost a field read per request.
 */
public final class Tracing {

    // jdk.jfr is resolved on the class path; on the module path when the application or
    // -XX:StartFlightRecording brings it in (kaio only "requires static" it)
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private Tracing() {}

    /** True if this runtime has JFR. */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * At submission: a started request event if JFR records them, else null (then nothing is allocated).
     * {@code path} (a {@code Path}, or null for a descriptor that is not a file) is turned into text only
     * then.
     */
    public static Object start(String operation, Object path, int fd, long position, long bytes) {
        return AVAILABLE ? Events.start(operation, path, fd, position, bytes) : null;
    }

    /** When the request has ended: commits the event if it took at least the threshold. */
    public static void end(Object trace, long result) {
        if (trace != null) {
            Events.end(trace, result);
        }
    }

    /** Makes {@code source} report a periodic context event while it is registered. */
    public static void register(ContextSource source) {
        if (AVAILABLE) {
            Events.register(source);
        }
    }

    public static void unregister(ContextSource source) {
        if (AVAILABLE) {
            Events.unregister(source);
        }
    }

    /** What a periodic {@code dev.kaio.Context} event says about one context. */
    public interface ContextSource {
        long contextId();

        int queueDepth();

        int inFlight();

        long ringCompletions();

        long syscallCompletions();

        boolean reaperThread();
    }
}
