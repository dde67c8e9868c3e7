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
package dev.kaio.internal.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kaio.internal.core.Kernel;
import dev.kaio.internal.linux.LinuxH;
import dev.kaio.internal.linux.kaio_aio_ring;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * User-space reaping of a context's completion ring, the {@code struct aio_ring} that io_setup maps
 * at the address it returns as the context id (fs/aio.c). The kernel appends io_events at
 * {@code tail} and publishes the new tail after a write barrier; user space reads the events between
 * {@code head} and {@code tail} and publishes the new {@code head}, which tells the kernel the slots
 * are free. This is what libaio's user_io_getevents, fio's userspace_reap, Seastar and Artemis do:
 * completions without a system call.
 *
 * <p>Used only when the header is one this code understands (magic 0xa10a10a1, no incompatible
 * features, a 32-byte header); otherwise {@link #attach} returns null and callers use io_getevents.
 * Reaping must never race with another reaper of the same context (in user space or io_getevents)
 * and must stop before io_destroy unmaps the ring: owners reap from one thread at a time and destroy
 * from that thread.
 */
public final class CompletionRing {

    private static final long NR = kaio_aio_ring.nr$offset();
    private static final long HEAD = kaio_aio_ring.head$offset();
    private static final long TAIL = kaio_aio_ring.tail$offset();
    private static final long MAGIC = kaio_aio_ring.magic$offset();
    private static final long INCOMPAT = kaio_aio_ring.incompat_features$offset();
    private static final long HEADER_LENGTH = kaio_aio_ring.header_length$offset();
    private static final long HEADER = kaio_aio_ring.layout().byteSize();
    private static final long EVENT = Iocbs.IO_EVENT_SIZE;

    // (MemorySegment, long offset) -> int, for acquire/release accesses to head and tail
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final int nr;

    private CompletionRing(MemorySegment ring, int nr) {
        this.ring = ring;
        this.nr = nr;
    }

    /** The ring of context {@code ctx}, or null if its header is not one kaio can read safely. */
    public static CompletionRing attach(long ctx) {
        MemorySegment header = MemorySegment.ofAddress(ctx).reinterpret(HEADER);
        int magic = header.get(JAVA_INT, MAGIC);
        int incompat = header.get(JAVA_INT, INCOMPAT);
        int headerLength = header.get(JAVA_INT, HEADER_LENGTH);
        int nr = header.get(JAVA_INT, NR);
        if (magic != LinuxH.KAIO_AIO_RING_MAGIC() || incompat != LinuxH.KAIO_AIO_RING_INCOMPAT_FEATURES()
                || headerLength != HEADER || nr <= 0) {
            return null;
        }
        return new CompletionRing(MemorySegment.ofAddress(ctx).reinterpret(HEADER + EVENT * nr), nr);
    }

    /**
     * Hands every completed io_event in the ring to {@code sink} (read in place, no copy) and frees
     * their ring slots. Returns how many; 0 when the ring is empty (then io_getevents is how to wait).
     */
    public int drain(Kernel.EventSink sink) {
        int head = (int) INT.getAcquire(ring, HEAD);
        // acquire: the kernel stores the events before it publishes the tail (smp_wmb in aio_complete)
        int tail = (int) INT.getAcquire(ring, TAIL);
        if (head == tail) {
            return 0;
        }
        if (head < 0 || head >= nr || tail < 0 || tail >= nr) {
            return 0; // not a state the kernel produces; let io_getevents sort it out
        }
        int n = 0;
        for (int i = head; i != tail; i = i + 1 == nr ? 0 : i + 1) {
            long at = HEADER + EVENT * i;
            sink.event(Iocbs.eventData(ring, at), Iocbs.eventRes(ring, at));
            n++;
        }
        // release: the events are read before the kernel may reuse their slots
        INT.setRelease(ring, HEAD, tail);
        return n;
    }

    /** -1 if no completed event waits in the ring, otherwise the index of the oldest one (the head). */
    public int oldestWaiting() {
        int head = (int) INT.getAcquire(ring, HEAD);
        int tail = (int) INT.getAcquire(ring, TAIL);
        return head == tail ? -1 : head;
    }

    /** The number of io_events the ring holds. */
    public int capacity() {
        return nr;
    }

    /** Completions waiting in the ring. */
    public int available() {
        int head = (int) INT.getAcquire(ring, HEAD);
        int tail = (int) INT.getAcquire(ring, TAIL);
        return Math.floorMod(tail - head, nr);
    }

    /**
     * Moves up to {@code max} completed io_events from the ring into {@code dst} at
     * {@code dstOffset} and frees their ring slots. Returns how many were moved; 0 when the ring is
     * empty (then io_getevents is how to wait).
     */
    public int reap(MemorySegment dst, long dstOffset, int max) {
        int head = (int) INT.getAcquire(ring, HEAD);
        // acquire: the kernel stores the events before it publishes the tail (smp_wmb in aio_complete)
        int tail = (int) INT.getAcquire(ring, TAIL);
        if (head == tail || max <= 0) {
            return 0;
        }
        if (head < 0 || head >= nr || tail < 0 || tail >= nr) {
            return 0; // not a state the kernel produces; let io_getevents sort it out
        }
        int available = tail > head ? tail - head : nr - head + tail;
        int n = Math.min(available, max);
        int first = Math.min(n, nr - head);
        MemorySegment.copy(ring, HEADER + EVENT * head, dst, dstOffset, EVENT * first);
        if (n > first) {
            MemorySegment.copy(ring, HEADER, dst, dstOffset + EVENT * first, EVENT * (n - first));
        }
        // release: the events are copied before the kernel may reuse their slots
        INT.setRelease(ring, HEAD, (head + n) % nr);
        return n;
    }
}
