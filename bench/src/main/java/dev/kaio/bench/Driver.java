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

/** One implementation keeping {@code depth} requests in flight on a target. */
interface Driver extends AutoCloseable {

    /** Opens the target and puts {@code depth} requests in flight. */
    void start() throws Exception;

    /** Returns once {@code ops} more requests have completed (and been replaced). */
    long run(int ops) throws Exception;

    /** Stops issuing, waits for what is in flight, releases everything. */
    @Override
    void close() throws Exception;
}
