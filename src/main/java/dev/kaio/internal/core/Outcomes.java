package dev.kaio.internal.core;

/**
 * How requests end, as the file API wants them reported: the engine decides <em>when</em> a request
 * ends (after its event, or when it was refused or never submitted) and calls these to decide
 * <em>how</em>. Every method runs on the thread that ends the request, while the request's slot is
 * still held (so {@code request} can be read), and must not block.
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
     * True (after clearing the flag in {@code request}) if a request that completed with
     * {@code result} should be submitted again without RWF_NOWAIT, instead of failing.
     */
    boolean retryWithoutNowait(Request request, long result);

    /** True if close() should io_cancel this in-flight request (requests that may never complete: polls). */
    boolean cancelOnClose(Request request);

    /** The request has ended and its future is complete: called exactly once per request. */
    void ended(Object owner);
}
