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

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM (the default pool's system properties are read once per JVM): opens a channel
 * without an executor ({@code jdk}: the JDK's, {@code kaio}: kaio's) and reports on which thread a
 * completion handler ran, or how opening failed.
 */
public final class DefaultPoolMain {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        AsynchronousFileChannel ch;
        try {
            ch = args[0].equals("kaio")
                    ? dev.kaio.KaioFileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : AsynchronousFileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (Throwable e) {
            System.out.println("open failed: " + e.getClass().getName() + ": " + e.getMessage()
                    + (e.getCause() != null ? " (cause " + e.getCause().getClass().getName() + ")" : ""));
            return;
        }
        try (ch) {
            CompletableFuture<Thread> invoker = new CompletableFuture<>();
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0, null, new CompletionHandler<Integer, Object>() {
                @Override
                public void completed(Integer result, Object attachment) {
                    invoker.complete(Thread.currentThread());
                }

                @Override
                public void failed(Throwable exc, Object attachment) {
                    invoker.completeExceptionally(exc);
                }
            });
            Thread t = invoker.get(30, TimeUnit.SECONDS);
            System.out.println("handler thread: created by the factory=" + RecordingThreadFactory.created(t)
                    + " daemon=" + t.isDaemon() + " caller=" + (t == Thread.currentThread()));
        }
    }
}
