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
package dev.kaio.examples.wal;

/** How the committer makes a batch of records durable. */
public enum CommitMode {
    /**
     * kaio, O_DIRECT: each batch is one IOCB_CMD_PWRITEV; when a write has completed, one
     * IOCB_CMD_FDSYNC makes every completed batch durable. Pipelined: the next batches' writes are
     * submitted while a sync is in flight (an FDSYNC covers only the writes that completed before it
     * was submitted, so the committer submits it after them, never with them).
     */
    PWRITEV_FDSYNC,
    /**
     * kaio, O_DIRECT: each batch is one IOCB_CMD_PWRITEV with RWF_DSYNC, durable when it completes
     * (a FUA write, or the write and a cache flush); several batches in flight at once.
     */
    RWF_DSYNC,
    /**
     * The baseline, without kaio: the same log and group commit, each batch written with
     * {@code FileChannel.write} (buffered, through the page cache) and made durable with
     * {@code FileChannel.force(false)} (fdatasync), one batch at a time.
     */
    FILE_CHANNEL
}
