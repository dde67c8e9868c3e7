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
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.internal.linux.LinuxH;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void everyConstantEqualsTheGeneratedBinding() throws Exception {
        int checked = 0;
        for (Field f : Errno.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                int generated = (int) LinuxH.class.getMethod(f.getName()).invoke(null);
                assertEquals(generated, f.getInt(null), f.getName());
                assertEquals(f.getName(), Errno.name(f.getInt(null)));
                checked++;
            }
        }
        assertTrue(checked >= 30, "checked " + checked);
    }

    @Test
    void namesAndDescriptionsComeFromTheCLibraryForTheRest() {
        assertEquals("Invalid argument", Errno.description(Errno.EINVAL));
        assertEquals("ENOTCONN", Errno.name(107)); // not in kaio's table: strerrorname_np
        assertEquals("errno 100000", Errno.name(100000));
        AioException e = new AioException(Errno.ENOSPC, "writev", "8192 bytes at position 0 to /x");
        assertEquals("writev: ENOSPC (No space left on device): 8192 bytes at position 0 to /x", e.getMessage());
        assertEquals(Errno.ENOSPC, e.errno());
        assertEquals("ENOSPC", e.errnoName());
        assertEquals("writev", e.operation());
    }
}
