package dev.kaio.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the system-wide AIO counters the kernel exposes. */
public final class AioNr {

    private AioNr() {}

    public static long aioNr() {
        return read("/proc/sys/fs/aio-nr");
    }

    public static long aioMaxNr() {
        return read("/proc/sys/fs/aio-max-nr");
    }

    private static long read(String path) {
        try {
            // one large read: a sysctl answers EOF to reads not at offset 0 (Files.readString reads 1 byte first)
            try (java.io.InputStream in = Files.newInputStream(Path.of(path))) {
                return Long.parseLong(new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).trim());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }
}
