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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** The bounds on watching the completion ring: budget, JVM-wide watcher limit, adaptation to misses. */
@Isolated("counts the JVM-wide watchers")
class CompletionSpinTest {

    @Test
    void aZeroBudgetNeverWatches() {
        CompletionSpin spin = CompletionSpin.of(0);
        for (int i = 0; i < 10; i++) {
            assertFalse(spin.begin());
        }
    }

    @Test
    void theBudgetComesFromKaioSpinMicros() {
        assertEquals(0, CompletionSpin.budgetNanos(null), "watching is opt-in");
        assertEquals(0, CompletionSpin.budgetNanos("0"));
        assertEquals(50_000, CompletionSpin.budgetNanos(" 50 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompletionSpin.budgetNanos("fast"));
        assertTrue(e.getMessage().contains("kaio.spinMicros"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CompletionSpin.budgetNanos("-1"));
        assertThrows(IllegalArgumentException.class, () -> CompletionSpin.of(-1));
    }

    @Test
    void watchesThatFindNothingMakeItWatchOnceInFiveWaits() {
        assumeTrue(CompletionSpin.maxWatchers() >= 1, "needs 2 processors: with one, nobody watches");
        CompletionSpin spin = CompletionSpin.of(20_000);
        for (int miss = 0; miss < 4; miss++) {
            assertTrue(spin.begin(), "watches until the 4th miss in a row (miss " + miss + ")");
            spin.end(false);
        }
        int watched = 0;
        for (int wait = 0; wait < 20; wait++) {
            if (spin.begin()) {
                watched++;
                spin.end(false);
            }
        }
        assertEquals(4, watched, "a device slower than the budget: one wait in five watches");
        while (!spin.begin()) {
            // skip to the next watch
        }
        spin.end(true); // a hit: watching pays again
        for (int wait = 0; wait < 5; wait++) {
            assertTrue(spin.begin(), "after a hit every wait watches");
            spin.end(true);
        }
    }

    @Test
    void atMostOneWatcherFewerThanTheProcessors() {
        int max = CompletionSpin.maxWatchers();
        assumeTrue(max >= 1, "needs 2 processors: with one, nobody watches");
        List<CompletionSpin> watching = new ArrayList<>();
        try {
            for (int i = 0; i < max; i++) {
                CompletionSpin s = CompletionSpin.of(20_000);
                assertTrue(s.begin(), "watcher " + (i + 1) + " of " + max);
                watching.add(s);
            }
            assertFalse(CompletionSpin.of(20_000).begin(), "one more than " + max + " watchers");
        } finally {
            watching.forEach(s -> s.end(true));
        }
        CompletionSpin after = CompletionSpin.of(20_000);
        assertTrue(after.begin(), "a watcher's end() frees its place");
        after.end(true);
    }
}
