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
package dev.kaio.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * A thread factory named by {@code -Djava.nio.channels.DefaultThreadPool.threadFactory} in the child
 * JVMs of the default-pool tests: it remembers every thread it made.
 */
public final class RecordingThreadFactory implements ThreadFactory {

    static final Set<Thread> CREATED = ConcurrentHashMap.newKeySet();

    public RecordingThreadFactory() {}

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, "recorded-handler-" + CREATED.size());
        t.setDaemon(true);
        CREATED.add(t);
        return t;
    }

    public static boolean created(Thread t) {
        return CREATED.contains(t);
    }
}
