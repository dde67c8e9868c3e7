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

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free stack of free slot indices {@code [0, capacity)} (a Treiber stack over an int array),
 * allocation-free. The top word packs a version counter with the index so that a pop racing with a
 * pop-push of the same index (ABA) fails its CAS and retries.
 */
final class SlotStack {

    private final AtomicLong top = new AtomicLong();  // (version << 32) | (index + 1); low word 0 = empty
    private final int[] next;                          // next[i] = (index + 1) of the slot below i, 0 = bottom

    /** A stack holding every index, {@code 0} on top. */
    public SlotStack(int capacity) {
        next = new int[capacity];
        for (int i = capacity - 1; i >= 0; i--) {
            push(i);
        }
    }

    /** Pushes a free index. */
    public void push(int index) {
        long t;
        do {
            t = top.get();
            next[index] = (int) t;
        } while (!top.compareAndSet(t, (((t >>> 32) + 1) << 32) | (index + 1L)));
    }

    /** Pops a free index, or returns -1 if none is free. */
    public int pop() {
        long t;
        int first;
        do {
            t = top.get();
            first = (int) t;
            if (first == 0) {
                return -1;
            }
        } while (!top.compareAndSet(t, (((t >>> 32) + 1) << 32) | (next[first - 1] & 0xffffffffL)));
        return first - 1;
    }
}
