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
 * Options of {@link AioFile#preallocate(long, long, PreallocateOption...)} and
 * {@link dev.kaio.engine.RawFile#preallocate(long, long, PreallocateOption...)}: the
 * {@code FALLOC_FL_*} mode bits of fallocate(2) that make sense for reserving space.
 */
public enum PreallocateOption {
    /**
     * {@code FALLOC_FL_KEEP_SIZE}: allocate the blocks but leave the file size as it is, even when
     * {@code position + length} is beyond the end of the file. The blocks past the end are then
     * reserved for later appends (fallocate(2): "useful for optimizing append workloads"); reading
     * past the end still returns nothing until a write extends the file.
     */
    KEEP_SIZE
}
