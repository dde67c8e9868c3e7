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

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor of {@link KaioFileChannel}s opened without one, configured as the JDK configures the
 * default pool of its asynchronous channels (sun.nio.ch.ThreadPool.createDefault), and read once:
 * <ul>
 *   <li>{@value #THREAD_FACTORY}: the name of a {@link ThreadFactory} class with a public no-argument
 *       constructor, loaded by the system class loader; without it, daemon threads;</li>
 *   <li>{@value #INITIAL_SIZE}: an integer. As for the JDK's file channels it only has to be valid:
 *       the pool is a cached one that starts threads as handlers need them.</li>
 * </ul>
 * A value that cannot be used fails the first open without an executor, and every later one, with
 * the {@link Error} the JDK throws for it.
 */
final class DefaultHandlerPool {

    static final String THREAD_FACTORY = "java.nio.channels.DefaultThreadPool.threadFactory";
    static final String INITIAL_SIZE = "java.nio.channels.DefaultThreadPool.initialSize";

    private static final Object LOCK = new Object();
    private static ExecutorService pool;   // guarded by LOCK
    private static Error failure;          // guarded by LOCK

    private DefaultHandlerPool() {}

    /** The pool, created on first use. */
    static ExecutorService get() {
        synchronized (LOCK) {
            if (pool == null && failure == null) {
                try {
                    pool = create(System.getProperty(THREAD_FACTORY), System.getProperty(INITIAL_SIZE));
                } catch (Error e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw new Error(failure.getMessage(), failure.getCause());
            }
            return pool;
        }
    }

    /** A pool configured by the two properties' values (null: not set). Package-private for tests. */
    static ExecutorService create(String threadFactory, String initialSize) {
        initialSize(initialSize); // validated like the JDK does, though a cached pool has no use for it
        ThreadFactory factory = configuredFactory(threadFactory);
        return Executors.newCachedThreadPool(factory != null ? factory : daemonThreads());
    }

    static int initialSize(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException x) {
            throw new Error("Value of property '" + INITIAL_SIZE + "' is invalid: " + x);
        }
    }

    static ThreadFactory configuredFactory(String name) {
        if (name == null) {
            return null;
        }
        try {
            Class<?> c = Class.forName(name, true, ClassLoader.getSystemClassLoader());
            return (ThreadFactory) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException x) {
            throw new Error(x);
        }
    }

    static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "kaio-channel-handler-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
