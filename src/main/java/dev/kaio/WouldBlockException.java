package dev.kaio;

/**
 * A request with {@link RwFlag#NOWAIT} would have blocked (EAGAIN): the data is not in the page
 * cache, the write needs block allocation, or the device queue is full. Nothing was transferred;
 * submit the request again without the flag (or use {@link IoOptions#retryWithoutNowait()}).
 */
public final class WouldBlockException extends AioException {

    private static final long serialVersionUID = 1L;

    public WouldBlockException(String operation, String detail) {
        super(Errno.EAGAIN, operation, detail);
    }
}
