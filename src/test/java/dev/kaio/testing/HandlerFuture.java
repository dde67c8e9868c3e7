package dev.kaio.testing;

import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A completion handler as a future: {@code completed(v)} completes it, {@code failed(e)} fails it.
 * Counts its calls and remembers the thread and attachment of the last one.
 */
public final class HandlerFuture<V> extends CompletableFuture<V> implements CompletionHandler<V, Object> {

    public final AtomicInteger calls = new AtomicInteger();
    public volatile Thread thread;
    public volatile Object attachment;

    @Override
    public void completed(V result, Object att) {
        calls.incrementAndGet();
        thread = Thread.currentThread();
        attachment = att;
        complete(result);
    }

    @Override
    public void failed(Throwable exc, Object att) {
        calls.incrementAndGet();
        thread = Thread.currentThread();
        attachment = att;
        completeExceptionally(exc);
    }
}
