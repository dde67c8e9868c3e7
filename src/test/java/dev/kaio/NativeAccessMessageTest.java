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
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.internal.sys.NativeAccess;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without --enable-native-access the library loads and gives one exact message. */
class NativeAccessMessageTest {

    @Test
    void withoutTheFlagTheLibraryLoadsAndNamesTheFlag() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("java.class.path");
        Process p = new ProcessBuilder(List.of(java, "-cp", cp, "dev.kaio.testing.NoNativeAccessMain"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String expected = "kaio needs native access to call the Linux AIO system calls: start java with "
                + "--enable-native-access=ALL-UNNAMED (kaio is on the class path; on the module path use "
                + "--enable-native-access=dev.kaio)";
        assertEquals(expected, NativeAccess.MESSAGE);
        assertTrue(out.contains("EINVAL=22 EINVAL"), out);
        assertTrue(out.contains("loaded dev.kaio.AioFile 512"), out);
        assertTrue(out.contains("allocated 4096"), out);
        assertTrue(out.contains("AioContext: " + expected), out);
        assertTrue(out.contains("AioQueue: " + expected), out);
        assertFalse(out.contains("UNEXPECTED"), out);
        assertEquals(2, out.lines().filter(l -> l.contains(expected)).count(), "one message per failed call: " + out);
        // kaio checked before any restricted method ran, so the JDK had nothing to warn about
        assertFalse(out.contains("WARNING"), out);
    }
}
