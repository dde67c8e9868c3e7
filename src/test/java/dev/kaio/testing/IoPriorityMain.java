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
import dev.kaio.AioException;
import dev.kaio.AioFile;
import dev.kaio.IoOptions;
import dev.kaio.IoPriority;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The child of RequestFlagsTest: prints its effective capabilities ("CapEff hex", from
 * /proc/self/status), then reads 10 bytes of FILE with a real-time, a best-effort and an idle I/O
 * priority and prints "RT 10" or "RT EPERM" (the bytes read, or the errno name) for each.
 *
 * <pre>IoPriorityMain FILE</pre>
 */
public final class IoPriorityMain {
    public static void main(String[] args) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                System.out.println("CapEff " + line.substring("CapEff:".length()).trim());
            }
        }
        try (AioContext ctx = AioContext.open(4);
                AioFile f = AioFile.open(ctx, Path.of(args[0]), StandardOpenOption.READ);
                Arena arena = Arena.ofShared()) {
            for (IoPriority.IoClass c : IoPriority.IoClass.values()) {
                IoPriority p = IoPriority.of(c, c == IoPriority.IoClass.IDLE ? 0 : 4);
                String result;
                try {
                    result = Integer.toString(f.read(arena.allocate(10), 0, IoOptions.NONE.withPriority(p))
                            .get(30, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    result = e.getCause() instanceof AioException a ? a.errnoName() : e.getCause().toString();
                }
                System.out.println(c + " " + result);
            }
        }
    }
}
