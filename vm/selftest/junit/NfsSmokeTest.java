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
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JUnit smoke test for the NFS guest: plain file I/O on both mounts, and a remount in between. */
class NfsSmokeTest {
    @Test
    void v3WriteRemountRead() throws Exception {
        writeRemountRead("/mnt/nfs3");
    }

    @Test
    void v42WriteRemountRead() throws Exception {
        writeRemountRead("/mnt/nfs4");
    }

    @Test
    void managementModulesPresent() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        assertTrue(os.getTotalMemorySize() > 0);
    }

    private static void writeRemountRead(String mount) throws Exception {
        Path p = Path.of(mount, "junit-smoke.txt");
        Files.writeString(p, "hello " + mount);
        Process remount = new ProcessBuilder("nfs-remount").inheritIO().start();
        assertTrue(remount.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, remount.exitValue());
        assertEquals("hello " + mount, Files.readString(p));
    }
}
