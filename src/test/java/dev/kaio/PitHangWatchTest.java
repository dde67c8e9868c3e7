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
package dev.kaio;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The mutation profile's hang watch: a thread parked in the library for the limit is reported with
 * its frame; one that waits in the test's own code, or finishes, is not.
 */
class PitHangWatchTest {

    @Test
    void aThreadParkedInTheLibraryIsReportedWithItsFrame() throws Exception {
        try (BufferPool pool = BufferPool.of(1, 4096, 4096); BufferLease held = pool.acquire()) {
            Thread waiter = new Thread(() -> {
                try (BufferLease l = pool.acquire()) {
                    // got it once the test gave its lease back
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            String frame = PitHangWatch.awaitOrHung(waiter, 300);
            assertTrue(frame != null && frame.startsWith("dev.kaio."), "no library frame reported: " + frame);
            held.close();
            waiter.join();
        }
    }

    @Test
    void aThreadWaitingInTestCodeOrFinishingIsNotHung() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        Thread opener = new Thread(() -> {
            try {
                Thread.sleep(600);
            } catch (InterruptedException e) {
                return;
            }
            go.countDown();
        });
        opener.start();
        assertNull(PitHangWatch.awaitOrHung(waiter, 300), "parked in CountDownLatch, called from test code");
        assertFalse(waiter.isAlive());
    }

    @Test
    void onlyTheLibrarysClassesCount() {
        assertTrue(PitHangWatch.isLibraryClass(BufferPool.class.getName()));
        assertTrue(PitHangWatch.isLibraryClass("dev.kaio.internal.core.RequestEngine"));
        assertFalse(PitHangWatch.isLibraryClass(PitHangWatchTest.class.getName()), "a test class");
        assertFalse(PitHangWatch.isLibraryClass("java.util.concurrent.locks.LockSupport"));
    }
}
