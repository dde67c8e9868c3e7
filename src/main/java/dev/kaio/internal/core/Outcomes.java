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

/**
 * How requests end, as the file API wants them reported: the engine decides <em>when</em> a request
 * ends (after its event, or when it was refused or never submitted) and calls these to decide
 * <em>how</em>. Every method runs on the thread that ends the request, while the request's slot is
 * still held (so {@code request} can be read), and must not block (except {@link #handle} and
 * {@link #ended}, which run after the slot was freed, on the thread or executor that delivers the
 * request).
 */
public interface Outcomes {

    /** The exception for a request the kernel refused at io_submit with {@code errno}. */
    Throwable refused(Request request, int errno);

    /**
     * The exception a completed request fails with, or null if it succeeded. {@code cancelRequested}
     * says io_cancel was called for it ({@code byClose}: by close()); {@code closing} that the context
     * is closing.
     */
    Throwable failure(Request request, long result, boolean cancelRequested, boolean byClose, boolean closing);

    /** The value a request of {@code kind} that succeeded with {@code result} (the kernel's res) completes with. */
    Object value(byte kind, long result);

    /**
     * Calls a handler request's {@code handler} with its {@code attachment}: the result, or the failure
     * (non-null). Exceptions it throws are logged and otherwise ignored.
     */
    void handle(Object handler, Object attachment, long result, Throwable failure);

    /**
     * True (after clearing the flag in {@code request}) if a request that completed with
     * {@code result} should be submitted again without RWF_NOWAIT, instead of failing.
     */
    boolean retryWithoutNowait(Request request, long result);

    /** True if close() should io_cancel this in-flight request (requests that may never complete: polls). */
    boolean cancelOnClose(Request request);

    /**
     * The kernel no longer uses the request's {@code buffers}: called exactly once per request, before its
     * future completes or its handler runs, so that a caller who saw the future complete also sees the
     * buffers' use counted out (a pooled buffer whose lease it then closes goes straight back).
     */
    void buffersDone(Object buffers);

    /**
     * The request has ended and its future is complete (or its handler returned): called exactly once
     * per request, after {@link #buffersDone}, with its {@code buffers}, its {@code trace} and its
     * result (the kernel's res, or a negative errno; {@link Long#MIN_VALUE} when it never reached the
     * kernel or its event was lost).
     */
    void ended(Object owner, Object buffers, Object trace, long result);
}
