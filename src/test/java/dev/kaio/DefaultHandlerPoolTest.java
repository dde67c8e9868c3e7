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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.RecordingThreadFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The default handler pool's configuration in this JVM, value by value (the end-to-end check, with
 * the system properties set on a child JVM, is {@code AsyncFileChannelConformance
 * #theDefaultPoolHonoursTheJdksSystemProperties}).
 */
class DefaultHandlerPoolTest {

    private static Thread threadOf(ExecutorService pool) throws Exception {
        try {
            return pool.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void withoutPropertiesHandlersRunOnKaiosDaemonThreads() throws Exception {
        Thread t = threadOf(DefaultHandlerPool.create(null, null));
        assertTrue(t.isDaemon(), "a daemon thread: handlers do not keep the JVM alive");
        assertTrue(t.getName().startsWith("kaio-channel-handler-"), t.getName());

        ThreadFactory daemons = DefaultHandlerPool.daemonThreads();
        Thread made = daemons.newThread(() -> { });
        assertTrue(made.isDaemon());
        assertEquals("kaio-channel-handler-1", made.getName());
        assertEquals("kaio-channel-handler-2", daemons.newThread(() -> { }).getName());
    }

    @Test
    void aConfiguredFactoryMakesTheThreads() throws Exception {
        String name = RecordingThreadFactory.class.getName();
        assertInstanceOf(RecordingThreadFactory.class, DefaultHandlerPool.configuredFactory(name));
        assertNull(DefaultHandlerPool.configuredFactory(null), "not configured");
        Thread t = threadOf(DefaultHandlerPool.create(name, "4"));
        assertTrue(RecordingThreadFactory.created(t), "the handler ran on " + t + ", not a thread of the factory");
    }

    @Test
    void theInitialSizeMustBeAnInteger() {
        assertEquals(-1, DefaultHandlerPool.initialSize(null), "not set");
        assertEquals(7, DefaultHandlerPool.initialSize("7"));
        Error e = assertThrows(Error.class, () -> DefaultHandlerPool.initialSize("seven"));
        assertTrue(e.getMessage().contains(DefaultHandlerPool.INITIAL_SIZE), e.getMessage());
        assertThrows(Error.class, () -> DefaultHandlerPool.create(null, "seven"), "checked when the pool is made");
        assertThrows(Error.class, () -> DefaultHandlerPool.configuredFactory("no.such.Factory"));
    }

    @Test
    void thePoolIsMadeOnceAndShared() {
        ExecutorService pool = DefaultHandlerPool.get();
        assertNotNull(pool);
        assertFalse(pool.isShutdown());
        assertSame(pool, DefaultHandlerPool.get());
    }
}
