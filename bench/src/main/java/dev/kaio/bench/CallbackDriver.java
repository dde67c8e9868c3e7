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
package dev.kaio.bench;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A driver whose completions arrive on another thread (a reaper, a poller, a pool), where each
 * completion's callback counts it and issues the slot's next request, keeping {@code depth} in flight.
 */
abstract class CallbackDriver implements Driver {

    final Completions completions = new Completions();
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean running = true;

    /** Counts a completed request; true while the slot should issue its next one. */
    final boolean completed() {
        inFlight.decrementAndGet();
        completions.complete();
        return running;
    }

    final void failed(Throwable t) {
        inFlight.decrementAndGet();
        completions.fail(t);
    }

    @Override
    public long run(int ops) {
        return completions.await(ops);
    }

    /** Stops issuing and waits until nothing is in flight. */
    final void stopAndDrain() throws InterruptedException {
        running = false;
        while (inFlight.get() > 0) {
            Thread.sleep(1);
        }
    }
}
