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

import java.util.Objects;

/**
 * An I/O priority for one request, carried in {@code aio_reqprio} with IOCB_FLAG_IOPRIO (Linux
 * 4.18+), as ioprio_set(2) encodes it: {@code class << 13 | level}. The block layer's scheduler
 * (BFQ, mq-deadline) uses it; with scheduler "none" it has no effect. The real-time class needs
 * CAP_SYS_ADMIN or CAP_SYS_NICE, otherwise the kernel answers EPERM.
 *
 * @param ioClass the scheduling class
 * @param level   0 (highest) to 7 (lowest) within the class; 0 for {@link IoClass#IDLE}
 */
public record IoPriority(IoClass ioClass, int level) {

    /** The ioprio classes of {@code <linux/ioprio.h>}. */
    public enum IoClass {
        /** IOPRIO_CLASS_RT: served first; privileged. */
        RT(1),
        /** IOPRIO_CLASS_BE: best effort, the default class. */
        BE(2),
        /** IOPRIO_CLASS_IDLE: only when nothing else wants the disk. */
        IDLE(3);

        final int value;

        IoClass(int value) {
            this.value = value;
        }

        /**
         * The IOPRIO_CLASS_* value.
         *
         * @return 1 (RT), 2 (BE) or 3 (IDLE)
         */
        public int value() {
            return value;
        }
    }

    /**
     * A priority of class {@code ioClass} at {@code level}.
     *
     * @param ioClass the scheduling class
     * @param level   0 (highest) to 7 (lowest)
     * @throws IllegalArgumentException if {@code level} is not in [0, 7]
     */
    public IoPriority {
        Objects.requireNonNull(ioClass, "ioClass");
        if (level < 0 || level > 7) {
            throw new IllegalArgumentException("ioprio level must be in [0, 7]: " + level);
        }
    }

    /**
     * A priority of class {@code ioClass} at {@code level}.
     *
     * @param ioClass the scheduling class
     * @param level   0 (highest) to 7 (lowest)
     * @return the priority
     * @throws IllegalArgumentException if {@code level} is not in [0, 7]
     */
    public static IoPriority of(IoClass ioClass, int level) {
        return new IoPriority(ioClass, level);
    }

    /**
     * The encoded value for aio_reqprio.
     *
     * @return {@code class << 13 | level}
     */
    public int value() {
        return ioClass.value << 13 | level;
    }
}
