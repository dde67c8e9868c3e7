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
 * What the running kernel's AIO implementation supports, probed once per JVM with real requests
 * (see {@link Aio#features()}).
 *
 * @param kernelRelease   the kernel release ({@code uname -r})
 * @param fsync           IOCB_CMD_FSYNC works (Linux 4.18+)
 * @param fdsync          IOCB_CMD_FDSYNC works (Linux 4.18+)
 * @param poll            IOCB_CMD_POLL works (Linux 4.18+)
 * @param nowait          RWF_NOWAIT is accepted in aio_rw_flags (Linux 4.13+)
 * @param dioAlign        statx answers STATX_DIOALIGN (Linux 6.1+), so {@link AioFile#alignment()} comes
 *                        from the kernel where the filesystem supports it
 * @param details         one line per probe: what the kernel answered
 */
public record AioFeatures(String kernelRelease, boolean fsync, boolean fdsync, boolean poll, boolean nowait,
        boolean dioAlign, java.util.Map<String, String> details) {
}
