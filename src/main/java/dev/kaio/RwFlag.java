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

/**
 * Per-request flags carried in the iocb's {@code aio_rw_flags} (Linux 4.13+), the RWF_* of
 * {@code <linux/fs.h>}. Values are checked against the generated bindings by the tests.
 */
public enum RwFlag {
    /**
     * RWF_HIPRI: high-priority polled I/O. Accepted by the AIO interface but not polled: the kernel
     * clears it for AIO requests (only io_uring polls), so it is a hint with no effect here.
     */
    HIPRI(0x1),
    /** RWF_DSYNC: this write is O_DSYNC (data and the metadata to read it are durable on completion). */
    DSYNC(0x2),
    /** RWF_SYNC: this write is O_SYNC (data and all metadata durable on completion). */
    SYNC(0x4),
    /**
     * RWF_NOWAIT: fail with EAGAIN instead of blocking (data not in the page cache, block allocation
     * needed, a lock held, a device queue full). The request then completes with
     * {@link WouldBlockException}; retry it without the flag, or ask for
     * {@link IoOptions#retryWithoutNowait()}. Filesystems that cannot honour it answer EOPNOTSUPP.
     */
    NOWAIT(0x8),
    /** RWF_APPEND: this write appends at end of file, whatever the position (Linux 4.16+). */
    APPEND(0x10);

    private final int bits;

    RwFlag(int bits) {
        this.bits = bits;
    }

    /**
     * The RWF_* value.
     *
     * @return the flag's bit in aio_rw_flags
     */
    public int bits() {
        return bits;
    }
}
