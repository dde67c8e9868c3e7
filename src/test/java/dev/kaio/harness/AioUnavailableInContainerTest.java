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
package dev.kaio.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.Aio;
import dev.kaio.AioContext;
import dev.kaio.AioException;
import dev.kaio.KaioFileChannel;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs inside a Docker harness container whose seccomp profile refuses io_setup
 * ({@code -Dkaio.expect.unavailable=EPERM}: Docker's default profile without io_setup;
 * {@code ENOSYS}: the same with an explicit ENOSYS rule, which is also what a kernel without
 * CONFIG_AIO answers). kaio must say that Linux AIO is unavailable and why, and
 * {@link KaioFileChannel#openOrFallback} must hand out the JDK's channel, and report it.
 */
@Tag("in-container")
class AioUnavailableInContainerTest {

    @Test
    void ioSetupRefusedBySeccompGivesTheJdksChannelAndTheReason() throws Exception {
        String errno = System.getProperty("kaio.expect.unavailable");
        assertNotNull(errno, "run by DockerHarnessIT with -Dkaio.expect.unavailable=EPERM|ENOSYS");
        assertFalse(Aio.isAvailable());
        AioException cause = assertInstanceOf(AioException.class, Aio.unavailabilityCause());
        assertEquals("io_setup", cause.operation());
        assertEquals(errno, cause.errnoName(), cause.getMessage());
        assertTrue(cause.getMessage().contains("seccomp"), cause.getMessage());

        Path p = Files.createTempDirectory("kaio-fallback").resolve("f");
        List<Throwable> reported = new ArrayList<>();
        try (AsynchronousFileChannel ch = KaioFileChannel.openOrFallback(p,
                Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE), null,
                reported::add)) {
            assertFalse(ch instanceof KaioFileChannel, ch.getClass().getName());
            assertEquals(1, reported.size());
            assertSame(cause, reported.get(0));
            assertEquals(4, ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 0).get(30, TimeUnit.SECONDS));
            ByteBuffer back = ByteBuffer.allocate(4);
            assertEquals(4, ch.read(back, 0).get(30, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {1, 2, 3, 4}, back.array());
            FileLock lock = ch.lock().get(30, TimeUnit.SECONDS);
            assertTrue(lock.isValid());
        }
        try (AsynchronousFileChannel ch = KaioFileChannel.openOrFallback(p, StandardOpenOption.READ)) {
            assertFalse(ch instanceof KaioFileChannel, "the logging form falls back too");
        }
        // kaio's own entry points say the same, with the errno
        AioException e = assertThrows(AioException.class, () -> KaioFileChannel.open(p, StandardOpenOption.READ));
        assertEquals(errno, e.errnoName());
        e = assertThrows(AioException.class, () -> AioContext.open(8));
        assertEquals(errno, e.errnoName());
    }
}
