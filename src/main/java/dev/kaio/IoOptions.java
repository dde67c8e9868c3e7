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

    /** Options with these flags. */
    public static IoOptions of(RwFlag... flags) {
        return NONE.withFlags(flags);
    }

    /** These options plus {@code flags}. */
    public IoOptions withFlags(RwFlag... flags) {
        int bits = rwFlags;
        for (RwFlag f : flags) {
            bits |= Objects.requireNonNull(f, "flag").bits();
        }
        return new IoOptions(bits, priority, retryWithoutNowait, executor);
    }

    /** These options with an I/O priority (IOCB_FLAG_IOPRIO). */
    public IoOptions withPriority(IoPriority priority) {
        return new IoOptions(rwFlags, Objects.requireNonNull(priority, "priority"), retryWithoutNowait, executor);
    }

    /**
     * These options, and when a request with {@link RwFlag#NOWAIT} completes with EAGAIN, submit it
     * again without the flag (once) instead of failing with {@link WouldBlockException}. The future
     * then completes with the blocking attempt's result.
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

    /** The RWF_* bits for aio_rw_flags. */
    public int rwFlags() {
        return rwFlags;
    }

    /** The flags as a set. */
    public Set<RwFlag> flags() {
        EnumSet<RwFlag> set = EnumSet.noneOf(RwFlag.class);
        for (RwFlag f : RwFlag.values()) {
            if ((rwFlags & f.bits()) != 0) {
                set.add(f);
            }
        }
        return set;
    }

    /** The priority, or null. */
    public IoPriority priority() {
        return priority;
    }

    public boolean retriesWithoutNowait() {
        return retryWithoutNowait;
    }

    @Override
    public String toString() {
        return "IoOptions" + flags() + (priority != null ? " " + priority : "")
                + (retryWithoutNowait ? " retryWithoutNowait" : "") + (executor != null ? " completeOn " + executor : "");
    }
}
