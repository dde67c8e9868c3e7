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

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The back-off between attempts of a pending lock, as LockRetries documents it: doubling from
 * FIRST_BACKOFF_MILLIS, never more than MAX_BACKOFF_MILLIS (a released lock is taken at most that long
 * afterwards), and a request that waits long costs one attempt per MAX_BACKOFF_MILLIS.
 */
class LockRetriesTest {

    @Test
    void theBackOffDoublesFromOneMillisecondAndStaysAtFifty() {
        List<Long> delays = new ArrayList<>();
        for (int attempt = 1; attempt <= 10; attempt++) {
            delays.add(LockRetries.backoffMillis(attempt));
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 50L, 50L, 50L, 50L), delays);
        assertEquals(LockRetries.MAX_BACKOFF_MILLIS, LockRetries.backoffMillis(1_000_000),
                "an attempt number past the shift width still waits the maximum");
    }
}
