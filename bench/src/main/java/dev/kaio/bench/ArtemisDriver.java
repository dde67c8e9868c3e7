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

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.apache.activemq.artemis.nativo.jlibaio.LibaioContext;
import org.apache.activemq.artemis.nativo.jlibaio.LibaioFile;
import org.apache.activemq.artemis.nativo.jlibaio.SubmitInfo;

/**
 * ActiveMQ Artemis's JNI libaio binding (activemq-artemis-native 2.0.0): one io_submit per request;
 * completions collected by a thread in {@code LibaioContext.poll()}, whose callbacks submit the next
 * request of the slot, as in Artemis's journal.
 */
final class ArtemisDriver extends CallbackDriver {

    private final Spec spec;
    private LibaioContext<Slot> context;
    private LibaioFile<Slot> file;
    private Thread poller;

    ArtemisDriver(Spec spec) {
        this.spec = spec;
    }

    static void checkLoaded() {
        if (!LibaioContext.isLoaded()) {
            throw new IllegalStateException("the Artemis native library did not load: it needs libaio1 (apt-get install "
                    + "libaio1) and -Djava.library.path pointing at libartemis-native-64.so (bench/compare.sh extracts it)");
        }
    }

    @Override
    public void start() throws Exception {
        checkLoaded();
        // Artemis 2.0.0 returns a completed request's semaphore permit only after its done() callback,
        // so a callback that submits the next request needs one permit more than the requests in flight.
        context = new LibaioContext<>(spec.depth() + 1, true, false);
        file = context.openFile(spec.path().toString(), true);
        poller = Thread.ofPlatform().daemon().name("artemis-poll").start(context::poll);
        for (int slot = 0; slot < spec.depth(); slot++) {
            ByteBuffer b = LibaioContext.newAlignedBuffer(spec.blockSize(), 4096);
            new Slot(b, new SplittableRandom(spec.seed() + slot)).issue();
        }
    }

    private final class Slot implements SubmitInfo {
        final ByteBuffer buffer;
        final SplittableRandom random;

        Slot(ByteBuffer buffer, SplittableRandom random) {
            this.buffer = buffer;
            this.random = random;
        }

        void issue() {
            inFlight.incrementAndGet();
            long pos = spec.position(random);
            try {
                if (spec.isRead(random)) {
                    file.read(pos, spec.blockSize(), buffer, this);
                } else {
                    file.write(pos, spec.blockSize(), buffer, this);
                }
            } catch (Exception e) {
                failed(e);
            }
        }

        @Override
        public void onError(int errno, String message) {
            failed(new IllegalStateException("errno " + errno + ": " + message));
        }

        @Override
        public void done() {
            if (completed()) {
                issue();
            }
        }
    }

    @Override
    public void close() throws Exception {
        stopAndDrain();
        if (file != null) {
            file.close();
        }
        if (context != null) {
            context.close(); // wakes the poller and ends its loop
            poller.join(10_000);
        }
    }
}
