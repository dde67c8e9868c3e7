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

/**
 * A completion handler for kaio's requests, with an attachment: the allocation-free alternative to a
 * future. Nothing is allocated per request (no future, no boxed result): a storage engine can keep one
 * handler and pass its per-request state as the attachment.
 *
 * {@snippet :
 * final class PageReads implements AioHandler<Page> {
 *     public void completed(long bytes, Page page) { page.loaded((int) bytes); }
 *     public void failed(Throwable failure, Page page) { page.failed(failure); }
 * }
 * PageReads handler = new PageReads();                    // one for all reads
 * file.read(page.buffer(), page.position(), IoOptions.NONE, page, handler);
 * }
 *
 * <p>Exactly one of the two methods is called, once per request, after the kernel has finished with
 * the request's buffers: on the thread that collected the completion (the context's reaper thread, or
 * a thread waiting on another request), or on the executor of {@link IoOptions#completeOn} or
 * {@link AioContext.Options#completionExecutor}. Keep it short and non-blocking when it runs on the
 * reaper thread. An exception it throws is logged ({@code System.Logger} "dev.kaio") and otherwise
 * ignored.
 *
 * @param <A> the attachment's type
 */
public interface AioHandler<A> {

    /**
     * The request succeeded.
     *
     * @param result     the kernel's result: bytes transferred for reads and writes (fewer at end of
     *                   file), 0 for syncs, the ready mask for polls
     * @param attachment what was given with the request
     */
    void completed(long result, A attachment);

    /**
     * The request failed: an {@link AioException} with the errno, {@link WouldBlockException},
     * {@link java.nio.channels.ClosedChannelException} or
     * {@link java.nio.channels.AsynchronousCloseException}, as for the future form.
     *
     * @param failure    why
     * @param attachment what was given with the request
     */
    void failed(Throwable failure, A attachment);
}
