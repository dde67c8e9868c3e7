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

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.PollEvents;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Run in a JVM whose virtual-thread scheduler has ONE carrier. Virtual thread A blocks on a kaio
 * future that only completes after virtual thread C writes to a pipe; virtual thread B waits for a
 * free slot of a full context (back-pressure). If either wait pinned the carrier, C could never run
 * and this program would time out instead of printing OK.
 */
public final class VirtualThreadMain {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Files.write(file, new byte[4096]);
        int[] pipe = Fds.pipe();
        try (AioContext ctx = AioContext.open(1);
                AioFile f = AioFile.open(ctx, file, StandardOpenOption.READ);
                ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor();
                Arena arena = Arena.ofShared()) {
            Future<Integer> a = vts.submit(() -> ctx.poll(pipe[0], PollEvents.POLLIN).join()); // holds the only slot
            Thread.sleep(300);
            Future<Integer> b = vts.submit(() -> f.read(arena.allocate(4096), 0).join());      // must wait for the slot
            Thread.sleep(300);
            Future<String> c = vts.submit(() -> {
                Fds.write(pipe[1], new byte[] {1});
                return "written";
            });
            String outcome = c.get(20, TimeUnit.SECONDS);
            int revents = a.get(20, TimeUnit.SECONDS);
            int read = b.get(20, TimeUnit.SECONDS);
            System.out.println("OK " + outcome + " revents=" + revents + " read=" + read);
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }
}
