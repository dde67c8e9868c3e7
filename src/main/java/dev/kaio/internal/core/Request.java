package dev.kaio.internal.core;

/**
 * One request, as the kernel port needs it to fill an iocb and as the engine needs it to finish it.
 * The engine keeps one per slot and reuses it: the slot's owner writes it before io_submit, the
 * thread that reaped the request's event reads it after (the slot's state word orders the two), and
 * nobody else touches it. {@link Pending} carries the same fields for a request still waiting for a
 * slot.
 */
public final class Request {

    /** IOCB_CMD_*. */
    public short opcode;
    /** The descriptor the request is for. */
    public int fd;
    /**
     * The data: a {@code MemorySegment}, a {@code List<MemorySegment>} (vectored commands), or null
     * (syncs, polls). Holding it here keeps the memory reachable until the kernel is done with it.
     */
    public Object buffers;
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
    /** Who submitted it ({@code AioFile}, or null): told once when the request has ended. */
    public Object owner;
    /** How the result is reported (see {@link Outcomes#succeed}). */
    public byte kind;

    RequestFuture<?> future;
    long result;          // the io_event's res, written when the event is staged
    int nextStaged = -1;  // the next slot of a list of staged events (owned by the list's holder)
    Thread stagedBy;      // the thread that reaped it and delivers it
    boolean finishedEarly; // delivered out of order by its stager (a callback waited on it)

    void set(Object owner, short opcode, int fd, byte kind, Object buffers, long position, long length, int rwFlags,
            int ioprio, boolean retryWithoutNowait, RequestFuture<?> future) {
        this.owner = owner;
        this.opcode = opcode;
        this.fd = fd;
        this.kind = kind;
        this.buffers = buffers;
        this.position = position;
        this.length = length;
        this.rwFlags = rwFlags;
        this.ioprio = ioprio;
        this.retryWithoutNowait = retryWithoutNowait;
        this.future = future;
    }

    void clear() {
        owner = null;
        buffers = null;
        future = null;
    }

    /** The request's future (for ports and outcome builders that want to log or attach something). */
    public RequestFuture<?> future() {
        return future;
    }
}
