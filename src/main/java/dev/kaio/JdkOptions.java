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

import java.nio.file.OpenOption;
import java.util.HashSet;
import java.util.Set;

/** Open options for the JDK's channel when {@link KaioFileChannel#openOrFallback} falls back to it. */
final class JdkOptions {

    private JdkOptions() {}

    /**
     * {@code options} with {@link AioOpenOption#DIRECT} replaced by the JDK's
     * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} (found by name: kaio does not require the
     * jdk.unsupported module).
     *
     * @throws UnsupportedOperationException for {@link AioOpenOption#NOATIME}, which the JDK lacks, or
     *                                       DIRECT where the JDK's option is not available
     */
    static Set<OpenOption> of(Set<? extends OpenOption> options) {
        Set<OpenOption> jdk = new HashSet<>(options.size());
        for (OpenOption o : options) {
            if (o == AioOpenOption.DIRECT) {
                jdk.add(extendedDirect());
            } else if (o == AioOpenOption.NOATIME) {
                throw new UnsupportedOperationException(
                        "AioOpenOption.NOATIME has no equivalent in the JDK's AsynchronousFileChannel (the fallback)");
            } else {
                jdk.add(o);
            }
        }
        return jdk;
    }

    private static OpenOption extendedDirect() {
        try {
            Class<?> c = Class.forName("com.sun.nio.file.ExtendedOpenOption");
            for (Object constant : c.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals("DIRECT")) {
                    return (OpenOption) constant;
                }
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // falls through to the exception below
        }
        throw new UnsupportedOperationException(
                "AioOpenOption.DIRECT: the JDK's com.sun.nio.file.ExtendedOpenOption.DIRECT is not available here");
    }
}
