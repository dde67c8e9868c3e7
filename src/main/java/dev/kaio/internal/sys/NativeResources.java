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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what kaio holds outside the Java heap: kernel AIO contexts, owner arenas of native memory,
 * and file descriptors. The tests check after every test class that these return to where they were
 * (and {@code fs.aio-nr} with them): nothing leaks.
 */
public final class NativeResources {

    private static final AtomicInteger CONTEXTS = new AtomicInteger();
    private static final AtomicInteger ARENAS = new AtomicInteger();
    private static final AtomicInteger DESCRIPTORS = new AtomicInteger();
    private static final AtomicLong ARENA_BYTES = new AtomicLong();

    private NativeResources() {}

    /** Kernel AIO contexts created by kaio and not yet destroyed. */
    public static int contexts() {
        return CONTEXTS.get();
    }

    /** Long-lived arenas (one per engine, context, eventfd, buffer pool) not yet closed. */
    public static int arenas() {
        return ARENAS.get();
    }

    /** Bytes allocated in those arenas. */
    public static long arenaBytes() {
        return ARENA_BYTES.get();
    }

    /** File descriptors opened by kaio (files, eventfds) and not yet closed. */
    public static int descriptors() {
        return DESCRIPTORS.get();
    }

    static void contextCreated() {
        CONTEXTS.incrementAndGet();
    }

    static void contextDestroyed() {
        CONTEXTS.decrementAndGet();
    }

    public static void descriptorOpened() {
        DESCRIPTORS.incrementAndGet();
    }

    public static void descriptorClosed() {
        DESCRIPTORS.decrementAndGet();
    }

    /** A shared arena that is counted until it is closed (once). */
    public static Arena sharedArena() {
        return new CountedArena(Arena.ofShared());
    }

    private static final class CountedArena implements Arena {
        private final Arena delegate;
        private final AtomicLong bytes = new AtomicLong();
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        CountedArena(Arena delegate) {
            this.delegate = delegate;
            ARENAS.incrementAndGet();
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            MemorySegment s = delegate.allocate(byteSize, byteAlignment);
            bytes.addAndGet(byteSize);
            ARENA_BYTES.addAndGet(byteSize);
            return s;
        }

        @Override
        public MemorySegment.Scope scope() {
            return delegate.scope();
        }

        @Override
        public void close() {
            delegate.close(); // throws (and stays open, still counted) if a segment is in use
            if (closed.compareAndSet(false, true)) {
                ARENAS.decrementAndGet();
                ARENA_BYTES.addAndGet(-bytes.get());
            }
        }
    }
}
