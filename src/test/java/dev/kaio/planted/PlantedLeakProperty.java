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

import dev.kaio.testing.Fds;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;

/**
 * A jqwik property class that leaks a pipe kaio knows nothing about, excluded from every build (tag
 * "planted"): GuardsTest runs it in a child JVM to show that the leak check wraps jqwik containers
 * and reads /proc/self/fd.
 */
@Tag("planted")
class PlantedLeakProperty {

    @Property(tries = 1)
    void leavesAPipeOpen() throws Exception {
        Fds.pipe();
    }
}
