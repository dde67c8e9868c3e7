/*
 * Copyright 2026 the kaio authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
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
