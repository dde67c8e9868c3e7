package dev.kaio.bench;

/** One implementation keeping {@code depth} requests in flight on a target. */
interface Driver extends AutoCloseable {

    /** Opens the target and puts {@code depth} requests in flight. */
    void start() throws Exception;

    /** Returns once {@code ops} more requests have completed (and been replaced). */
    long run(int ops) throws Exception;

    /** Stops issuing, waits for what is in flight, releases everything. */
    @Override
    void close() throws Exception;
}
