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
package dev.kaio.planted;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A deliberately hanging test, excluded from every build (tag "planted"): GuardsTest runs it in a
 * child JVM to show that the JUnit timeout ends it with a thread dump. join() ignores interrupts, so
 * only a timeout that runs the test in a separate thread can end it.
 */
@Tag("planted")
class PlantedHangTest {

    @Test
    void waitsForAFutureNobodyCompletes() {
        new CompletableFuture<Void>().join();
    }
}
