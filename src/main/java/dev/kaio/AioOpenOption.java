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

import java.nio.file.OpenOption;

/**
 * Open options beyond {@link java.nio.file.StandardOpenOption} for files used with kaio.
 * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} is accepted as a synonym of {@link #DIRECT}.
 */
public enum AioOpenOption implements OpenOption {
    /**
     * {@code O_DIRECT}: transfer between the device and the caller's buffer, bypassing the page
     * cache. Buffer address, length and file position must then be multiples of the file's
     * {@link AioFile#alignment() alignment}; otherwise the kernel fails the request with EINVAL.
     */
    DIRECT,
    /** {@code O_NOATIME}: do not update the access time (owner or CAP_FOWNER only; EPERM otherwise). */
    NOATIME
}
