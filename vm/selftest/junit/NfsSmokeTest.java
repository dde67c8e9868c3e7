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
