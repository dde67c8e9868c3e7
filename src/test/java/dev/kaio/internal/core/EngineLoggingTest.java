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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A failure of the thread that collects completions is logged through {@code System.Logger} ("dev.kaio",
 * which the JDK routes to java.util.logging unless the application installs another backend) when it
 * happens, not only reported by close().
 */
class EngineLoggingTest {

    @Test
    void aReapingFailureIsLoggedWhenItHappens() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("dev.kaio");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try {
            EngineFixture fx = new EngineFixture(2, true);
            RequestFuture<Object> a = fx.read("a");
            fx.kernel.failNextReap = 5;
            fx.kernel.complete(a, 4096); // the reaper wakes, and its reap fails
            Thread device = LifecycleScenarios.start("device", () -> {
                fx.kernel.awaitDestroyBegun();
            });
            assertThrows(IOException.class, fx.engine::close);
            device.join();
            assertTrue(records.stream().anyMatch(r -> r.getLevel() == Level.SEVERE
                    && r.getMessage().contains("failed; closing it") && r.getThrown() != null),
                    "no SEVERE record for the failure: " + records);
            assertEquals(1, records.stream().filter(r -> r.getLevel() == Level.SEVERE).count(), "logged once");
            fx.check();
        } finally {
            jul.removeHandler(capture);
        }
    }
}
