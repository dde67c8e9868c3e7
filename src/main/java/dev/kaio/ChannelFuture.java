package dev.kaio;

import java.util.concurrent.CompletableFuture;

/**
 * The future of a {@link KaioFileChannel} read or write. Cancelling it abandons the result (kernel
 * file I/O cannot be stopped: the transfer may still happen); {@code cancel(true)} also closes the
 * channel, as the JDK's channel does. Dependent stages are plain CompletableFutures.
 */
final class ChannelFuture<V> extends CompletableFuture<V> {

    private final KaioFileChannel channel;

    ChannelFuture(KaioFileChannel channel) {
        this.channel = channel;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = !isDone() && super.cancel(mayInterruptIfRunning);
        if (cancelled && mayInterruptIfRunning) {
            channel.closeQuietly();
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
