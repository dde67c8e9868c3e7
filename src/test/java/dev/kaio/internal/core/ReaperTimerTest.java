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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The reaper's timer (see {@link RequestEngine}, "Who reaps"): it exists for requests routed to their
 * slot's eventfd that nobody waits on, so it runs only while such requests are in flight, grows while
 * each has its waiter, and still completes one whose waiter never came or left. Wake-ups are counted
 * by the fake kernel (waits on the reaper's eventfd that its timer ended), over a few hundred
 * milliseconds: a slow machine makes fewer of them, never more.
 */
class ReaperTimerTest {

    private static final long TICK = 1_000_000L; // 1 ms, AioContext's default

    /**
     * A new platform thread (the engine remembers per thread whether it waits) that waits on one request,
     * so that its next one is routed to its slot's eventfd; it submits that one, hands it to the test,
     * then does {@code then} with it.
     */
    private static final class RoutedRequest {
        private final AtomicReference<RequestFuture<Object>> request = new AtomicReference<>();
        private final AtomicReference<Throwable> failed = new AtomicReference<>();
        private final Thread thread;

        RoutedRequest(EngineFixture fx, String name, Function<EngineFixture, RequestFuture<Object>> submit,
                ThrowingConsumer then) {
            thread = new Thread(() -> {
                try {
                    becomeAWaiter(fx);
                    RequestFuture<Object> f = submit.apply(fx);
                    request.set(f);
                    then.accept(f);
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                }
            }, name);
            thread.start();
        }

        /** The request, once submitted (asserted routed to its slot's eventfd, not the reaper's). */
        RequestFuture<Object> get(EngineFixture fx) {
            while (request.get() == null && thread.isAlive()) {
                sleep(1);
            }
            RequestFuture<Object> f = request.get();
            assertNotNull(f, () -> "the thread ended without submitting: " + failed.get());
            assertNotEquals(fx.controlFd, fx.kernel.resfd(f.slot), "the request was not routed to its slot");
            return f;
        }

        /** Waits for the thread to end; what it threw fails the test. */
        void join() throws InterruptedException {
            thread.join();
            assertNull(failed.get());
        }
    }

    interface ThrowingConsumer {
        void accept(RequestFuture<Object> f) throws Exception;
    }

    /**
     * Makes the calling thread one that waits on its requests (a join that really waits), so that its
     * next request is routed to its slot's eventfd.
     */
    private static void becomeAWaiter(EngineFixture fx) throws Exception {
        RequestFuture<Object> first = fx.read("first");
        Thread waiter = Thread.currentThread();
        Thread device = new Thread(() -> {
            // complete it only once the waiter is parked in join (it was submitted, so that is the join):
            // a join that finds it done already would not make this thread a waiter
            while (!fx.kernel.owns(first) || !parked(waiter)) {
                sleep(1);
            }
            fx.kernel.complete(first, 4096);
        });
        device.start();
        first.join();
        device.join();
    }

    private static boolean parked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (polling, never through the engine) until {@code f} is done; false after 10 s. */
    private static boolean doneWithoutWaiting(CompletableFuture<?> f) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!f.isDone() && System.nanoTime() < end) {
            sleep(1);
        }
        return f.isDone();
    }

    @Test
    void aRoutedRequestNobodyWaitsOnCompletesByTheTimer() throws Exception {
        EngineFixture fx = new EngineFixture(2, true, TICK);
        RoutedRequest second = new RoutedRequest(fx, "waits-then-not", f -> f.read("second"), f -> { });
        second.join();
        RequestFuture<Object> f = second.get(fx);
        sleep(30); // let the timer grow if it would
        fx.kernel.complete(f, 4096);
        assertTrue(doneWithoutWaiting(f), "a routed request nobody waits on never completed");
        fx.engine.close();
        fx.check();
    }

    @Test
    void whileEveryRoutedRequestHasItsWaiterTheTimerGrows() throws Exception {
        EngineFixture fx = new EngineFixture(2, true, TICK);
        // join claims the slot and sleeps on its eventfd
        RoutedRequest poll = new RoutedRequest(fx, "waiter", f -> f.poll("poll"), RequestFuture::join);
        RequestFuture<Object> p = poll.get(fx);
        sleep(50); // the waiter is on its slot, the timer has grown
        int before = fx.kernel.timedOut(fx.controlFd);
        sleep(400);
        int ticks = fx.kernel.timedOut(fx.controlFd) - before;
        // a 1 ms tick would be ~400 wake-ups; grown to 8 ms, ~50
        assertTrue(ticks <= 100, ticks + " timer wake-ups of the reaper in 400 ms while the only request had its waiter");
        assertTrue(ticks >= 1, "the reaper's timer stopped while a routed request was in flight");
        fx.kernel.complete(p, 1);
        poll.join();
        fx.engine.close();
        fx.check();
    }

    @Test
    void withNoRoutedRequestInFlightTheReaperHasNoTimer() throws Exception {
        EngineFixture fx = new EngineFixture(2, true, TICK);
        RequestFuture<Object> p = fx.poll("callback-poll"); // this thread never waited: not routed
        assertEquals(fx.controlFd, fx.kernel.resfd(p.slot));
        RequestFuture<Object> r = fx.read("callback-read"); // its completion wakes the reaper while the poll is in flight
        fx.kernel.complete(r, 4096);
        assertTrue(doneWithoutWaiting(r), "the reaper did not complete a request that signalled it");
        sleep(50);
        int before = fx.kernel.timedOut(fx.controlFd);
        sleep(300);
        assertEquals(0, fx.kernel.timedOut(fx.controlFd) - before,
                "timer wake-ups of the reaper while only a request that signals it was in flight");
        fx.kernel.complete(p, 1); // signals the reaper's eventfd: it completes the poll
        assertTrue(doneWithoutWaiting(p), "the reaper did not complete a request that signalled it");
        fx.engine.close();
        fx.check();
    }

    @Test
    void aRoutedRequestWhoseWaiterLeftCompletesByTheTimer() throws Exception {
        EngineFixture fx = new EngineFixture(2, true, TICK);
        // waits long enough for the timer to grow, then gives up: the request is in flight with no waiter
        RoutedRequest poll = new RoutedRequest(fx, "gives-up", f -> f.poll("poll"),
                p -> assertThrows(TimeoutException.class, () -> p.get(200, TimeUnit.MILLISECONDS)));
        poll.join();
        RequestFuture<Object> p = poll.get(fx);
        fx.kernel.complete(p, 1);
        assertTrue(doneWithoutWaiting(p), "a routed request whose waiter gave up never completed");
        fx.engine.close();
        fx.check();
    }
}
