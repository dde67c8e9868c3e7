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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.internal.sys.NativeAccess;
import dev.kaio.testing.ChildJvm;
import dev.kaio.testing.TestFiles;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link KaioFileChannel#openOrFallback}: kaio's channel where Linux AIO works, the JDK's (and why)
 * where it does not. Here: native access off, in a child JVM. The seccomp case (io_setup refused)
 * runs in the Docker harness: {@code harness.AioUnavailableInContainerTest}.
 */
class ChannelFallbackTest {

    @Test
    void whereAioWorksItIsKaiosChannelAndNothingIsReported() throws Exception {
        assertTrue(Aio.isAvailable(), "this test runs where Linux AIO works: " + Aio.unavailabilityCause());
        Path p = TestFiles.newDirectory("fallback").resolve("f");
        List<Throwable> reported = new ArrayList<>();
        try (AsynchronousFileChannel ch = KaioFileChannel.openOrFallback(p,
                Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE), null, reported::add)) {
            assertInstanceOf(KaioFileChannel.class, ch);
            assertEquals(3, ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0).get(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), reported);
        try (AsynchronousFileChannel ch = KaioFileChannel.openOrFallback(p, StandardOpenOption.READ)) {
            assertInstanceOf(KaioFileChannel.class, ch);
        }
    }

    @Test
    @Tag("child-jvm") // kaio runs in the child: left out of mutation testing, whose mutants live in this JVM only
    void withoutNativeAccessItIsTheJdksChannelAndSaysWhy() throws Exception {
        Path p = TestFiles.newDirectory("fallback").resolve("f");
        String out = ChildJvm.run(120, List.of(), "dev.kaio.testing.FallbackMain", p.toString());
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("cause=java.lang.UnsupportedOperationException: " + NativeAccess.MESSAGE), out);
        assertTrue(out.contains("channel=sun.nio.ch.SimpleAsynchronousFileChannelImpl"), out);
        assertTrue(out.contains("reported=true"), out);
        assertTrue(out.contains("roundtrip=true lock=true"), out);
        assertEquals(2, out.lines().filter(l -> l.equals("plain=sun.nio.ch.SimpleAsynchronousFileChannelImpl")).count(), out);
        assertEquals(1, out.lines().filter(l -> l.contains("Linux AIO is not available, KaioFileChannel.openOrFallback "
                + "opens the JDK's AsynchronousFileChannel instead: " + NativeAccess.MESSAGE)).count(), "logged once: " + out);
        assertTrue(out.contains("open=java.lang.UnsupportedOperationException: " + NativeAccess.MESSAGE), out);
        assertFalse(out.contains("UNEXPECTED"), out);
        assertEquals(3, Files.size(p));
    }

    @Test
    void kaiosOptionsBecomeTheJdksOrAreRefusedByName() {
        Set<OpenOption> jdk = JdkOptions.of(Set.of(StandardOpenOption.READ, AioOpenOption.DIRECT));
        assertTrue(jdk.contains(StandardOpenOption.READ));
        assertTrue(jdk.contains(com.sun.nio.file.ExtendedOpenOption.DIRECT), jdk.toString());
        assertFalse(jdk.contains(AioOpenOption.DIRECT));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> JdkOptions.of(Set.of(StandardOpenOption.READ, AioOpenOption.NOATIME)));
        assertTrue(e.getMessage().contains("NOATIME"), e.getMessage());
    }
}
