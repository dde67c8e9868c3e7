package dev.kaio.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kaio.testing.FrayExplored;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Correct handoffs that Fray must not flag in any interleaving it tries: a value published through a
 * Semaphore and answered through a CompletableFuture, and a complete-versus-cancel race.
 */
class SemaphoreHandoffFrayTest {

    private int box;  // plain field: the semaphore's release/acquire orders the write before the read

    @FrayExplored(iterations = 1000)
    void semaphorePublishesAndFutureAnswers() throws Exception {
        Semaphore filled = new Semaphore(0);
        CompletableFuture<Integer> reply = new CompletableFuture<>();
        Thread consumer = new Thread(() -> {
            filled.acquireUninterruptibly();
            reply.complete(box * 2);
        });
        consumer.start();
        box = 21;
        filled.release();
        assertEquals(42, reply.get());
        consumer.join();
    }

    @FrayExplored(iterations = 1000)
    void completeAndCancelRaceHasExactlyOneWinner() throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        AtomicBoolean completed = new AtomicBoolean();
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread completer = new Thread(() -> completed.set(result.complete("done")));
        Thread canceller = new Thread(() -> cancelled.set(result.cancel(false)));
        completer.start();
        canceller.start();
        completer.join();
        canceller.join();
        assertNotEquals(completed.get(), cancelled.get(), "complete() and cancel() must not both (or neither) win");
        assertEquals(cancelled.get(), result.isCancelled());
        if (completed.get()) {
            assertEquals("done", result.join());
        }
    }
}
