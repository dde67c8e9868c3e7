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
package dev.kaio.testing;

import dev.kaio.Aio;
import dev.kaio.KaioFileChannel;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM where Linux AIO is not available (no --enable-native-access): what
 * {@link KaioFileChannel#openOrFallback} returns and reports, and that the channel it returns works.
 */
public final class FallbackMain {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        System.out.println("available=" + Aio.isAvailable());
        Throwable cause = Aio.unavailabilityCause();
        System.out.println("cause=" + (cause == null ? "none" : cause.getClass().getName() + ": " + cause.getMessage()));
        List<Throwable> reported = new ArrayList<>();
        try (AsynchronousFileChannel ch = KaioFileChannel.openOrFallback(file,
                Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE), null,
                reported::add)) {
            System.out.println("channel=" + ch.getClass().getName());
            System.out.println("reported=" + (reported.size() == 1 && reported.get(0) == cause));
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0).get(30, TimeUnit.SECONDS);
            ByteBuffer back = ByteBuffer.allocate(3);
            ch.read(back, 0).get(30, TimeUnit.SECONDS);
            FileLock lock = ch.tryLock();
            System.out.println("roundtrip=" + (back.get(2) == 3) + " lock=" + (lock != null));
        }
        // the one-argument form logs the reason, once per JVM
        for (int i = 0; i < 2; i++) {
            try (AsynchronousFileChannel ch = KaioFileChannel.openOrFallback(file, StandardOpenOption.READ)) {
                System.out.println("plain=" + ch.getClass().getName());
            }
        }
        try {
            KaioFileChannel.open(file, StandardOpenOption.READ).close();
            System.out.println("UNEXPECTED: kaio opened");
        } catch (UnsupportedOperationException | java.io.IOException e) {
            System.out.println("open=" + e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
