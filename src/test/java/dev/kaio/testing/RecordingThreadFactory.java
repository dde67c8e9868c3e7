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
