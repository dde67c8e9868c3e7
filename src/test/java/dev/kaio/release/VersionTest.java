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
package dev.kaio.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kaio.Aio;
import org.junit.jupiter.api.Test;

/** {@link Aio#version()} is the version the build was given (pom.xml), not a placeholder. */
class VersionTest {

    @Test
    void theLibraryKnowsItsVersion() {
        String expected = System.getProperty("kaio.test.version");
        assertNotNull(expected, "the build passes kaio.test.version");
        assertEquals(expected, Aio.version());
    }
}
