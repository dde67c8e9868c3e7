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

/**
 * A request waiting for a slot: submitted from a thread that must not wait (one that is completing
 * requests), or a RWF_NOWAIT request to submit again without the flag. The engine's submitter thread
 * takes it from the queue, waits for a slot like any other submitter, and submits it.
 */
record Pending(Object owner, short opcode, int fd, byte kind, Object buffers, long position, long length,
        int rwFlags, int ioprio, boolean retryWithoutNowait, RequestFuture<?> future) {

    static Pending of(Request r, int rwFlags, boolean retryWithoutNowait) {
        return new Pending(r.owner, r.opcode, r.fd, r.kind, r.buffers, r.position, r.length, rwFlags, r.ioprio,
                retryWithoutNowait, r.future);
    }
}
