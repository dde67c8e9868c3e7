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

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Per-request options for reads and writes: {@link RwFlag}s, an {@link IoPriority}, and whether a
 * request refused by RWF_NOWAIT is retried without the flag. Immutable; build once and reuse.
 *
 * {@snippet :
 * IoOptions nowait = IoOptions.of(RwFlag.NOWAIT);
 * file.read(buf, pos, nowait).exceptionally(e -> {
 *     if (e.getCause() instanceof WouldBlockException) { ... not cached: go the slow way ... }
 *     ...
 * });
 * IoOptions durable = IoOptions.of(RwFlag.DSYNC).withPriority(IoPriority.of(IoPriority.IoClass.BE, 0));
 * }
 */
public final class IoOptions {

    /** No flags, no priority. */
    public static final IoOptions NONE = new IoOptions(0, null, false, null);

    private final int rwFlags;
    private final IoPriority priority;
    private final boolean retryWithoutNowait;
    private final Executor executor;

    private IoOptions(int rwFlags, IoPriority priority, boolean retryWithoutNowait, Executor executor) {
        this.rwFlags = rwFlags;
        this.priority = priority;
        this.retryWithoutNowait = retryWithoutNowait;
        this.executor = executor;
    }

    /**
     * Options with these flags.
     *
     * @param flags the RWF_* flags of the request
     * @return the options, without a priority
     */
    public static IoOptions of(RwFlag... flags) {
        return NONE.withFlags(flags);
    }

    /**
     * These options plus {@code flags}.
     *
     * @param flags flags to add
     * @return new options
     */
    public IoOptions withFlags(RwFlag... flags) {
        int bits = rwFlags;
        for (RwFlag f : flags) {
            bits |= Objects.requireNonNull(f, "flag").bits();
        }
        return new IoOptions(bits, priority, retryWithoutNowait, executor);
    }

    /**
     * These options with an I/O priority (IOCB_FLAG_IOPRIO).
     *
     * @param priority the priority of the request
     * @return new options
     */
    public IoOptions withPriority(IoPriority priority) {
        return new IoOptions(rwFlags, Objects.requireNonNull(priority, "priority"), retryWithoutNowait, executor);
    }

    /**
     * These options, and when a request with {@link RwFlag#NOWAIT} completes with EAGAIN, submit it
     * again without the flag (once) instead of failing with {@link WouldBlockException}. The future
     * then completes with the blocking attempt's result.
     *
     * @return new options
     */
    public IoOptions retryWithoutNowait() {
        return new IoOptions(rwFlags, priority, true, executor);
    }

    /**
     * These options, and the request's future is completed (or its {@link AioHandler} called) on
     * {@code executor}, not on the thread that collected the completion: so that a slow dependent action
     * (taking a lock, writing a log) does not hold up the completions of the whole context. Overrides
     * {@link AioContext.Options#completionExecutor} for this request. If the executor rejects the task,
     * the completion runs on the collecting thread instead. {@link AioContext#close()} waits until the
     * executor has run every completion.
     *
     * @param executor where completions of requests with these options run
     * @return new options
     */
    public IoOptions completeOn(Executor executor) {
        return new IoOptions(rwFlags, priority, retryWithoutNowait, Objects.requireNonNull(executor, "executor"));
    }

    /**
     * Where completions run, or null (the thread that collects them, or the context's executor).
     *
     * @return the executor, or null
     */
    public Executor completionExecutor() {
        return executor;
    }

    /**
     * The RWF_* bits for aio_rw_flags.
     *
     * @return the flags' bits, ORed
     */
    public int rwFlags() {
        return rwFlags;
    }

    /**
     * The flags as a set.
     *
     * @return a new set of the flags
     */
    public Set<RwFlag> flags() {
        EnumSet<RwFlag> set = EnumSet.noneOf(RwFlag.class);
        for (RwFlag f : RwFlag.values()) {
            if ((rwFlags & f.bits()) != 0) {
                set.add(f);
            }
        }
        return set;
    }

    /**
     * The I/O priority.
     *
     * @return the priority, or null for none
     */
    public IoPriority priority() {
        return priority;
    }

    /**
     * Whether a request refused by RWF_NOWAIT is submitted again without it.
     *
     * @return true after {@link #retryWithoutNowait()}
     */
    public boolean retriesWithoutNowait() {
        return retryWithoutNowait;
    }

    @Override
    public String toString() {
        return "IoOptions" + flags() + (priority != null ? " " + priority : "")
                + (retryWithoutNowait ? " retryWithoutNowait" : "") + (executor != null ? " completeOn " + executor : "");
    }
}
