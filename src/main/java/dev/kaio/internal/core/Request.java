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
package dev.kaio.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * One request: what the kernel port needs to fill an iocb, and how the request ends (a future, or a
 * handler with its attachment, on the completing thread or an executor).
 *
 * <p>Three uses. A caller describes a request in one (its own, reusable: the engine copies it during
 * {@link RequestEngine#submit}); the engine keeps one per slot, written by the slot's owner before
 * io_submit and read after by the thread that reaped the event (the slot's state word orders the
 * two); and a request waiting for a slot is a copy in the engine's queue.
 */
public final class Request {

    private static final VarHandle CLAIMED;

    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(Request.class, "claimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** IOCB_CMD_*. */
    public short opcode;
    /** The descriptor the request is for. */
    public int fd;
    /**
     * The data: a {@code MemorySegment}, a {@code List<MemorySegment>} (vectored commands), or null
     * (syncs, polls). Holding it here keeps the memory reachable until the kernel is done with it.
     */
    public Object buffers;
    /**
     * For a direct {@code java.nio.ByteBuffer} in {@link #buffers} (an adapter's, which saves making a
     * segment per request): the native address of the bytes to transfer, and how many. The buffer is
     * held in {@code buffers} to keep its memory reachable.
     */
    public long bufferAddress;
    /** See {@link #bufferAddress}. */
    public long bufferLength;
    /** The file offset; for IOCB_CMD_POLL the events mask. */
    public long position;
    /** Bytes to transfer (for error messages; the buffers say what the kernel is given). */
    public long length;
    /** aio_rw_flags (RWF_*). */
    public int rwFlags;
    /** aio_reqprio, with IOCB_FLAG_IOPRIO when non-zero. */
    public int ioprio;
    /** Whether a RWF_NOWAIT request refused with EAGAIN is submitted again without the flag. */
    public boolean retryWithoutNowait;
    /** io_submit may do the I/O itself (buffered file I/O): a completing thread must not submit it. */
    public boolean mayBlock;
    /** Waiting for a free slot ignores interrupts (an adapter whose API is not interruptible, like NIO's). */
    public boolean uninterruptible;
    /** Who submitted it ({@code AioFile}, or null): told once when the request has ended. */
    public Object owner;
    /** How the result is reported (see {@link Outcomes#value}). */
    public byte kind;
    /** Instead of a future: the handler {@link Outcomes#handle} calls, and its attachment. */
    public Object handler;
    /** The handler's attachment. */
    public Object attachment;
    /** Where the future is completed or the handler called; null: on the thread that reaped it. */
    public Executor executor;
    /** Whatever the file API wants back when the request ends (a JFR event); null if nothing. */
    public Object trace;

    RequestFuture<?> future;
    long result;          // the io_event's res, written when the event is staged
    int nextStaged = -1;  // the next slot of a list of staged events (owned by the list's holder)
    Thread stagedBy;      // the thread that reaped it and delivers it
    boolean finishedEarly; // delivered out of order by its stager (a callback waited on it)
    private volatile int claimed; // a queued copy: taken by the submitter thread, or withdrawn

    /** Copies what describes the request from {@code spec}. */
    void copyFrom(Request spec) {
        opcode = spec.opcode;
        fd = spec.fd;
        buffers = spec.buffers;
        bufferAddress = spec.bufferAddress;
        bufferLength = spec.bufferLength;
        position = spec.position;
        length = spec.length;
        rwFlags = spec.rwFlags;
        ioprio = spec.ioprio;
        retryWithoutNowait = spec.retryWithoutNowait;
        mayBlock = spec.mayBlock;
        uninterruptible = spec.uninterruptible;
        owner = spec.owner;
        kind = spec.kind;
        handler = spec.handler;
        attachment = spec.attachment;
        executor = spec.executor;
        trace = spec.trace;
    }

    /** Drops the references, so that buffers and handlers can be collected. */
    public void clear() {
        uninterruptible = false;
        owner = null;
        buffers = null;
        bufferAddress = 0;
        bufferLength = 0;
        future = null;
        handler = null;
        attachment = null;
        executor = null;
        trace = null;
    }

    /** A queued copy: true once, for whoever takes it first (the submitter thread, or a withdrawal). */
    boolean claim() {
        return future != null ? future.moveFrom(RequestFuture.QUEUED, RequestFuture.TAKEN)
                : CLAIMED.compareAndSet(this, 0, 1);
    }

    /** The request's future (null for a handler request). */
    public RequestFuture<?> future() {
        return future;
    }
}
