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
import dev.kaio.DirectBuffers;
import dev.kaio.engine.AioQueue;
import java.lang.foreign.Arena;

/** Run in a child JVM without --enable-native-access: the library loads, and says exactly what to do. */
public final class NoNativeAccessMain {
    public static void main(String[] args) throws Exception {
        // loading and using the classes that need no native code works
        // touching the generated bindings first (Errno's constants come from them) must not defeat the check
        System.out.println("EINVAL=" + dev.kaio.Errno.EINVAL + " " + dev.kaio.Errno.name(dev.kaio.Errno.EINVAL));
        System.out.println("loaded " + AioFile.class.getName() + " " + DirectBuffers.alignUp(1, 512));
        try (Arena arena = Arena.ofConfined()) {
            System.out.println("allocated " + DirectBuffers.allocate(arena, 4096, 4096).byteSize());
        }
        try {
            AioContext.open(1);
            System.out.println("UNEXPECTED: opened a context");
        } catch (UnsupportedOperationException e) {
            System.out.println("AioContext: " + e.getMessage());
        }
        try {
            AioQueue.open(1);
            System.out.println("UNEXPECTED: opened a queue");
        } catch (UnsupportedOperationException e) {
            System.out.println("AioQueue: " + e.getMessage());
        }
    }
}
