package dev.kaio;

/**
 * The system-wide AIO event limit ({@code /proc/sys/fs/aio-max-nr}) and its use
 * ({@code /proc/sys/fs/aio-nr}) at one moment. A context of queue depth {@code n} takes {@code n}
 * events ({@code n} for an {@link AioContext}); io_setup fails with EAGAIN beyond the limit.
 *
 * @param aioMaxNr the limit, or -1 if unreadable
 * @param aioNr    the events held by every live context on the machine, or -1 if unreadable
 */
public record AioLimits(long aioMaxNr, long aioNr) {

    /** Events still available to new contexts, or -1 if unknown. */
    public long headroom() {
        return aioMaxNr < 0 || aioNr < 0 ? -1 : Math.max(0, aioMaxNr - aioNr);
    }
}
