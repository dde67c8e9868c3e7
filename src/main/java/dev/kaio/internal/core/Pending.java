package dev.kaio.internal.core;

/**
 * A request waiting for a slot: submitted from a thread that must not wait (one that is completing
 * requests), or a RWF_NOWAIT request to submit again without the flag. The engine's submitter thread
 * takes it from the queue, waits for a slot like any other submitter, and submits it.
 */
record Pending(Object owner, short opcode, int fd, byte kind, Object buffers, long position, long length,
        int rwFlags, int ioprio, boolean retryWithoutNowait, RequestFuture<?> future) {

    static Pending of(Request r, int rwFlags, boolean retryWithoutNowait) {
        return new Pending(r.owner, r.opcode, r.fd, r.kind, r.buffers, r.position, r.length, rwFlags, r.ioprio,
                retryWithoutNowait, r.future);
    }
}
