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

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kaio.internal.linux.io_event;
import dev.kaio.internal.linux.iocb;
import dev.kaio.internal.linux.iovec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * {@link Iocbs} writes every field of the kernel's structs where the generated layouts (checked against
 * gcc by LayoutTest) put them, at an offset into a larger segment, over memory that is not zero: the
 * engine reuses its iocb and event arrays, so a field left unwritten would carry the last request's value.
 */
class IocbsTest {

    private static final long AT = 3 * 64; // the fourth iocb of an array

    @Test
    void prepareWritesEveryFieldOfTheIocb() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(AT + Iocbs.IOCB_SIZE + 64, 8).fill((byte) 0x5a);
            Iocbs.prepare(array, AT, Iocbs.CMD_PREADV, 17, 0x1000_2000L, 8, 1L << 40, 0xfeed_beefL, 0x10, Iocbs.FLAG_RESFD,
                    23, (short) 3);
            MemorySegment s = array.asSlice(AT, Iocbs.IOCB_SIZE);
            assertEquals(0xfeed_beefL, iocb.aio_data(s));
            assertEquals(0, iocb.aio_key(s), "aio_key must be 0 or io_submit refuses the iocb");
            assertEquals(0x10, iocb.aio_rw_flags(s));
            assertEquals(Iocbs.CMD_PREADV, iocb.aio_lio_opcode(s));
            assertEquals(3, iocb.aio_reqprio(s));
            assertEquals(17, iocb.aio_fildes(s));
            assertEquals(0x1000_2000L, iocb.aio_buf(s));
            assertEquals(8, iocb.aio_nbytes(s));
            assertEquals(1L << 40, iocb.aio_offset(s));
            assertEquals(0, iocb.aio_reserved2(s), "aio_reserved2 must be 0 or io_submit answers EINVAL");
            assertEquals(Iocbs.FLAG_RESFD, iocb.aio_flags(s));
            assertEquals(23, iocb.aio_resfd(s));
            assertEquals(0xfeed_beefL, Iocbs.data(array, AT));
            assertEquals((byte) 0x5a, array.get(java.lang.foreign.ValueLayout.JAVA_BYTE, AT - 1), "nothing before it written");
            assertEquals((byte) 0x5a, array.get(java.lang.foreign.ValueLayout.JAVA_BYTE, AT + Iocbs.IOCB_SIZE),
                    "nothing after it written");
        }
    }

    @Test
    void setEventWritesEveryFieldOfTheEvent() {
        try (Arena arena = Arena.ofConfined()) {
            long at = 2 * Iocbs.IO_EVENT_SIZE;
            MemorySegment events = arena.allocate(at + Iocbs.IO_EVENT_SIZE, 8).fill((byte) 0x5a);
            Iocbs.setEvent(events, at, 77, 88, -11, 99);
            MemorySegment e = events.asSlice(at, Iocbs.IO_EVENT_SIZE);
            assertEquals(77, io_event.data(e));
            assertEquals(88, io_event.obj(e));
            assertEquals(-11, io_event.res(e));
            assertEquals(99, io_event.res2(e));
            assertEquals(77, Iocbs.eventData(events, at));
            assertEquals(-11, Iocbs.eventRes(events, at));
        }
    }

    @Test
    void iovecWritesBaseAndLength() {
        try (Arena arena = Arena.ofConfined()) {
            long size = iovec.layout().byteSize();
            MemorySegment v = arena.allocate(3 * size, 8).fill((byte) 0x5a);
            Iocbs.iovec(v, size, 0xabc000L, 4096);
            MemorySegment one = v.asSlice(size, size);
            assertEquals(0xabc000L, iovec.iov_base(one).address());
            assertEquals(4096, iovec.iov_len(one));
        }
    }
}
