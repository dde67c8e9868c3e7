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
 * What O_DIRECT requires of a file's requests, and where kaio learnt it.
 *
 * @param memory the required alignment of a buffer's address (and, by kaio's rule, of its length)
 * @param offset the required alignment of file positions and transfer lengths
 * @param source where the numbers came from: {@code "statx(STATX_DIOALIGN)"},
 *               {@code "ioctl(BLKSSZGET)"}, {@code "sysfs logical_block_size of device M:m"},
 *               {@code "fallback"} or {@code "buffered"} (not opened with O_DIRECT)
 */
public record DirectIoAlignment(int memory, int offset, String source) {

    /**
     * The alignment that satisfies both rules.
     *
     * @return {@code max(memory, offset)}
     */
    public int combined() {
        return Math.max(memory, offset);
    }
}
