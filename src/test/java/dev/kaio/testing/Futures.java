package dev.kaio.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waiting for kaio's futures in tests. */
public final class Futures {

    private Futures() {}

    /**
     * The result of {@code f}, rethrowing the exception it completed with (so tests can assert its
     * type). {@code hangGuardSeconds} only bounds a hang; it is not a performance expectation.
     */
    public static <T> T await(CompletableFuture<T> f, int hangGuardSeconds) throws Exception {
        try {
            return f.get(hangGuardSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
