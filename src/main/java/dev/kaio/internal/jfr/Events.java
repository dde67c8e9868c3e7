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

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/** The JFR side of {@link Tracing}: loaded only when the runtime has the jdk.jfr module. */
final class Events {

    private static final EventType REQUEST = EventType.getEventType(RequestEvent.class);
    private static final Set<Tracing.ContextSource> CONTEXTS = ConcurrentHashMap.newKeySet();

    static {
        FlightRecorder.addPeriodicEvent(ContextEvent.class, Events::emitContexts);
    }

    private Events() {}

    static Object start(String operation, Object path, int fd, long position, long bytes) {
        if (!REQUEST.isEnabled()) {
            return null;
        }
        RequestEvent e = new RequestEvent();
        e.operation = operation;
        e.path = path != null ? path.toString() : "fd " + fd;
        e.position = position;
        e.bytes = bytes;
        e.begin();
        return e;
    }

    static void end(Object trace, long result) {
        RequestEvent e = (RequestEvent) trace;
        e.end();
        if (e.shouldCommit()) {
            e.result = result == Long.MIN_VALUE ? -1 : result;
            e.commit();
        }
    }

    static void register(Tracing.ContextSource source) {
        CONTEXTS.add(source);
    }

    static void unregister(Tracing.ContextSource source) {
        CONTEXTS.remove(source);
    }

    private static void emitContexts() {
        for (Tracing.ContextSource c : CONTEXTS) {
            ContextEvent e = new ContextEvent();
            e.contextId = c.contextId();
            e.queueDepth = c.queueDepth();
            e.inFlight = c.inFlight();
            e.ringCompletions = c.ringCompletions();
            e.syscallCompletions = c.syscallCompletions();
            e.reaperThread = c.reaperThread();
            e.commit();
        }
    }
}
