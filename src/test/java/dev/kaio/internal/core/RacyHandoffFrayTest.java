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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.FrayExplorer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pastalab.fray.runtime.DeadlockException;

/**
 * Proves that the build's Fray set-up really explores interleavings: two deliberately racy
 * check-then-act handoffs, whose bugs need one particular thread switch, must be found. Both
 * methods below are the code under test, not tests; the tests ask Fray to explore them and
 * assert that it reports the bug.
 */
@Tag(FrayExplorer.TAG)
class RacyHandoffFrayTest {

    /** Enough for Fray's POS scheduler; it usually finds these within the first ten iterations. */
    private static final int BUDGET = 1000;

    /**
     * Lost wakeup: the waiter checks the flag, then waits, without holding the lock across both;
     * a signal between the check and the wait() is lost and the waiter sleeps forever.
     */
    void lostWakeup() throws InterruptedException {
        Object lock = new Object();
        AtomicInteger ready = new AtomicInteger();
        Thread waiter = new Thread(() -> {
            if (ready.get() == 0) {          // check ...
                synchronized (lock) {
                    try {
                        lock.wait();         // ... then act: the notify may already have happened
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        waiter.start();
        ready.set(1);
        synchronized (lock) {
            lock.notifyAll();
        }
        waiter.join();
    }

    /** Double claim: two threads test a slot, then take it; both can see it free. */
    void doubleClaim() throws InterruptedException {
        AtomicInteger owner = new AtomicInteger();
        AtomicInteger claims = new AtomicInteger();
        Runnable claim = () -> {
            if (owner.get() == 0) {          // check ...
                owner.set(1);                // ... then act: not one compareAndSet
                claims.incrementAndGet();
            }
        };
        Thread a = new Thread(claim);
        Thread b = new Thread(claim);
        a.start();
        b.start();
        a.join();
        b.join();
        assertEquals(1, claims.get(), "the slot was claimed twice");
    }

    @Test
    void frayFindsTheLostWakeupAsADeadlock() {
        FrayExplorer.Exploration found = FrayExplorer.explore(RacyHandoffFrayTest.class, "lostWakeup", BUDGET);
        System.out.println(found.summary());
        assertNotNull(found.bug(), "Fray ran " + found.iterations() + " interleavings and missed the lost wakeup");
        assertInstanceOf(DeadlockException.class, found.bug());
        assertTrue(found.iterations() <= BUDGET);
    }

    @Test
    void frayFindsTheDoubleClaimAsAFailedAssertion() {
        FrayExplorer.Exploration found = FrayExplorer.explore(RacyHandoffFrayTest.class, "doubleClaim", BUDGET);
        System.out.println(found.summary());
        assertNotNull(found.bug(), "Fray ran " + found.iterations() + " interleavings and missed the double claim");
        AssertionError failed = assertInstanceOf(AssertionError.class, found.bug());
        assertTrue(failed.getMessage().contains("the slot was claimed twice"), failed.getMessage());
    }
}
