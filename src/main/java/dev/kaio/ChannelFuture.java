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

import dev.kaio.internal.core.RequestFuture;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

/**
 * One {@link KaioFileChannel} read or write: the request's own future (so a thread that waits on it
 * with {@code get()} reaps the completion itself, as with {@link AioFile}), which turns the kernel's
 * result into the channel's before it completes (-1 at end of file, the buffer's position advanced, a
 * heap buffer's bytes copied back), and, for the {@link CompletionHandler} form, hands itself to the
 * channel's executor to call the handler. One object per operation: nothing else is allocated for it
 * but the buffer's segment.
 *
 * <p>Cancelling it abandons the result at once (kernel file I/O cannot be stopped: the transfer may
 * still happen, and the buffer's position is then left alone); {@code cancel(true)} also closes the
 * channel, as the JDK's channel does.
 */
final class ChannelFuture extends RequestFuture<Integer> implements Runnable {

    private final KaioFileChannel channel;
    private final boolean write;
    private final ByteBuffer buffer;
    private final int start;
    private BouncePool.Lease bounce;          // a heap buffer's native copy; given back when the request ends
    private final CompletionHandler<Integer, Object> handler;
    private final Object attachment;
    private volatile boolean cancelledByUser;

    @SuppressWarnings("unchecked")
    ChannelFuture(KaioFileChannel channel, boolean write, ByteBuffer buffer, CompletionHandler<Integer, ?> handler,
            Object attachment) {
        super(channel.aioFile().context().engine(), channel.aioFile());
        this.channel = channel;
        this.write = write;
        this.buffer = buffer;
        this.start = buffer.position();
        this.handler = (CompletionHandler<Integer, Object>) handler;
        this.attachment = attachment;
    }

    void bounce(BouncePool.Lease lease) {
        this.bounce = lease;
    }

    private static final Integer END_OF_FILE = -1;

    @Override
    protected boolean succeedInternal(Integer n) {
        Integer result; // n itself when it is the answer: no boxing of a new Integer
        try {
            if (cancelledByUser) {
                return false; // abandoned: the buffer is left as it was
            }
            if (!write && n == 0) {
                result = END_OF_FILE; // nothing at or past the end of the file
            } else {
                if (!write && bounce != null) {
                    java.lang.foreign.MemorySegment.ofBuffer(buffer).copyFrom(bounce.segment.asSlice(0, n));
                }
                buffer.position(start + n);
                result = n;
            }
        } finally {
            giveBackBounce();
        }
        return super.succeedInternal(result) && dispatched();
    }

    @Override
    protected boolean failInternal(Throwable failure) {
        giveBackBounce();
        return super.failInternal(channel.closedOr(failure)) && dispatched();
    }

    private void giveBackBounce() {
        BouncePool.Lease b = bounce;
        if (b != null) {
            bounce = null;
            b.close();
        }
    }

    /** The handler form: the handler runs on the channel's executor (here if it refuses). */
    private boolean dispatched() {
        if (handler != null) {
            try {
                channel.handlers().execute(this);
            } catch (RejectedExecutionException rejected) {
                run();
            }
        }
        return true;
    }

    /** Calls the handler (on the channel's executor). */
    @Override
    public void run() {
        Integer value;
        try {
            value = join();
        } catch (java.util.concurrent.CompletionException e) {
            handler.failed(e.getCause(), attachment);
            return;
        } catch (CancellationException e) {
            handler.failed(e, attachment);
            return;
        }
        handler.completed(value, attachment);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (isDone()) {
            return false;
        }
        cancelledByUser = true;
        boolean cancelled = super.failInternal(new CancellationException());
        if (cancelled && mayInterruptIfRunning) {
            channel.closeQuietly();
        }
        return cancelled;
    }
}
