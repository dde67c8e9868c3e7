package dev.kaio;

/**
 * Event bits for {@link AioContext#poll(int, int)} (IOCB_CMD_POLL), the POLL* values of
 * {@code <poll.h>}. The kernel always adds POLLERR and POLLHUP.
 */
public final class PollEvents {

    public static final int POLLIN = 0x001;
    public static final int POLLPRI = 0x002;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLRDNORM = 0x040;

    private PollEvents() {}
}
