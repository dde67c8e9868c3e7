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

import dev.kaio.internal.sys.NativeResources;
import dev.kaio.testing.AioNr;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Around every test class (registered for all classes through META-INF/services): afterwards,
 * {@code /proc/sys/fs/aio-nr} and kaio's own counts of kernel contexts, native arenas and file
 * descriptors must be back where they were before. The shared context of {@link KaioFileChannel}
 * is closed first, since it deliberately outlives the channels.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

    /** What kaio holds outside the heap at one moment. */
    record Snapshot(long aioNr, int contexts, int arenas, int descriptors) {
        static Snapshot now() {
            return new Snapshot(AioNr.aioNr(), NativeResources.contexts(), NativeResources.arenas(),
                    NativeResources.descriptors());
        }
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", Snapshot.now());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Snapshot before = context.getStore(NS).get("before", Snapshot.class);
        KaioFileChannel.closeDefaultContext();
        List<String> leaks = compare(before, 5_000);
        if (!leaks.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " leaked: " + String.join("; ", leaks));
        }
    }

    /** Differences from {@code before}, waiting up to {@code waitMillis} for teardown to finish. */
    static List<String> compare(Snapshot before, long waitMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + waitMillis;
        while (true) {
            Snapshot after = Snapshot.now();
            List<String> leaks = new ArrayList<>();
            if (after.aioNr() != before.aioNr()) {
                leaks.add("fs.aio-nr " + before.aioNr() + " -> " + after.aioNr());
            }
            if (after.contexts() != before.contexts()) {
                leaks.add("kernel AIO contexts " + before.contexts() + " -> " + after.contexts());
            }
            if (after.arenas() != before.arenas()) {
                leaks.add("native arenas " + before.arenas() + " -> " + after.arenas() + " ("
                        + NativeResources.arenaBytes() + " bytes held)");
            }
            if (after.descriptors() != before.descriptors()) {
                leaks.add("file descriptors " + before.descriptors() + " -> " + after.descriptors());
            }
            if (leaks.isEmpty() || System.currentTimeMillis() > deadline) {
                return leaks;
            }
            Thread.sleep(20);
        }
    }
}
