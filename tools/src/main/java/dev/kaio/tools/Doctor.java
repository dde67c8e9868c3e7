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
package dev.kaio.tools;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kaio.Aio;
import dev.kaio.AioException;
import dev.kaio.AioFeatures;
import dev.kaio.AioLimits;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectIoAlignment;
import dev.kaio.Errno;
import dev.kaio.engine.RawFile;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code kaio doctor}: what this system offers Linux AIO, and what each given path needs. Every value
 * is read from the kernel (through the library: statx, ioctl, /proc; and stat, /proc/self/mountinfo,
 * /sys), never assumed.
 */
final class Doctor {

    /** One mount from /proc/self/mountinfo. */
    record Mount(int major, int minor, String mountPoint, String fsType, String source) {}

    /** What doctor found for one path. */
    record PathReport(Path path, String kind, String error, Mount mount, String oDirect, DirectIoAlignment alignment,
            String device, int logicalBlockSize, int physicalBlockSize) {}

    record SystemReport(String kernelRelease, String arch, String bindings, String javaVersion, String javaVendor,
            boolean nativeAccess, boolean available, String unavailable, AioLimits limits, AioFeatures features) {}

    private Doctor() {}

    static SystemReport system() {
        // asked before anything calls native code: in the JDK's default "warn" mode the first
        // restricted call would turn native access on for the module
        boolean nativeAccess = Aio.class.getModule().isNativeAccessEnabled();
        boolean available = Aio.isAvailable();
        AioFeatures features = available ? Aio.features() : null;
        // os.version is the running kernel's release (uname -r)
        return new SystemReport(System.getProperty("os.version"), System.getProperty("os.arch"),
                bindings(available ? null : Aio.unavailabilityCause().getMessage()),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"), nativeAccess,
                available, available ? null : Aio.unavailabilityCause().getMessage(), Aio.limits(), features);
    }

    /**
     * Which of the library's generated bindings this JVM uses. The library chooses them by os.arch on
     * a little-endian JVM and does not export its choice, so this repeats its rule (ArchConstants).
     */
    static String bindings(String unavailable) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64" -> {
                    return "linux-x86_64 (generated LinuxX86_64 + shared LinuxH)";
                }
                case "aarch64" -> {
                    return "linux-aarch64 (generated LinuxAarch64 + shared LinuxH)";
                }
                default -> { }
            }
        }
        return "none: " + (unavailable != null ? unavailable : "no bindings for " + System.getProperty("os.arch"));
    }

    static PathReport path(Path path) {
        PathStat stat;
        try {
            stat = PathStat.of(path);
        } catch (NoSuchFileException e) {
            String error = new AioException(Errno.ENOENT, "stat", path.toString()).getMessage();
            return new PathReport(path, "missing", error, null, null, null, null, -1, -1);
        } catch (IOException | UnsupportedOperationException e) {
            return new PathReport(path, "missing", "stat: " + e, null, null, null, null, -1, -1);
        }
        String kind = stat.isDirectory() ? "directory" : stat.isBlockDevice() ? "block device"
                : stat.isRegularFile() ? "regular file" : "other";
        Mount mount = mountOf(path, stat);
        String oDirect;
        DirectIoAlignment alignment = null;
        Path probe = null;
        try {
            Path target = path;
            if (stat.isDirectory()) {
                probe = Files.createTempFile(path, ".kaio-doctor-", ".tmp");
                target = probe;
            }
            try (RawFile f = RawFile.open(target, StandardOpenOption.READ, AioOpenOption.DIRECT)) {
                alignment = f.alignmentInfo();
                oDirect = "opens" + (probe != null ? " (probe file in the directory)" : "");
            }
        } catch (IOException e) {
            oDirect = "fails: " + e.getMessage();
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover empty probe file is harmless
                }
            }
        }
        int major = stat.isBlockDevice() ? stat.rdevMajor() : stat.devMajor();
        int minor = stat.isBlockDevice() ? stat.rdevMinor() : stat.devMinor();
        String device = major + ":" + minor;
        Path sys = Path.of("/sys/dev/block/" + device);
        int logical = -1;
        int physical = -1;
        if (Files.exists(sys)) {
            try {
                device = sys.toRealPath().getFileName() + " (" + major + ":" + minor + ")";
            } catch (IOException e) {
                // keep major:minor
            }
            logical = PathStat.blockQueueInt(major, minor, "logical_block_size");
            physical = PathStat.blockQueueInt(major, minor, "physical_block_size");
        } else {
            device = major + ":" + minor + " (no block device: " + (mount != null ? mount.fsType() : "virtual") + ")";
        }
        return new PathReport(path, kind, null, mount, oDirect, alignment, device, logical, physical);
    }

    /** The mount holding {@code path}: the longest mount point above it, preferring one with its st_dev. */
    static Mount mountOf(Path path, PathStat stat) {
        List<Mount> mounts = mounts();
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            real = path.toAbsolutePath();
        }
        Mount best = null;
        for (Mount m : mounts) {
            if (real.startsWith(m.mountPoint())) {
                boolean sameDev = m.major() == stat.devMajor() && m.minor() == stat.devMinor();
                if (best == null || m.mountPoint().length() > best.mountPoint().length()
                        || (m.mountPoint().length() == best.mountPoint().length() && sameDev)) {
                    best = m;
                }
            }
        }
        return best;
    }

    static List<Mount> mounts() {
        List<Mount> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] parts = line.split(" ");
                int dash = List.of(parts).indexOf("-");
                if (dash < 0 || parts.length < dash + 3) {
                    continue;
                }
                String[] mm = parts[2].split(":");
                out.add(new Mount(Integer.parseInt(mm[0]), Integer.parseInt(mm[1]), unescape(parts[4]), parts[dash + 1],
                        unescape(parts[dash + 2])));
            }
        } catch (IOException | RuntimeException e) {
            // no mount information
        }
        return out;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String text(SystemReport s, List<PathReport> paths) {
        StringBuilder b = new StringBuilder();
        b.append("kaio doctor\n");
        row(b, "kernel", "Linux " + s.kernelRelease() + " (" + s.arch() + ")");
        row(b, "bindings", s.bindings());
        row(b, "java", s.javaVersion() + " (" + s.javaVendor() + ")");
        row(b, "native access", s.nativeAccess() ? "enabled" : "NOT enabled" + (s.available() ? "" : " (see linux aio)"));
        row(b, "linux aio", s.available() ? "available" : "NOT available: " + s.unavailable());
        AioLimits l = s.limits();
        row(b, "aio-max-nr", l.aioMaxNr() + " (aio-nr " + l.aioNr() + ", headroom " + l.headroom() + " events)");
        if (s.features() != null) {
            AioFeatures f = s.features();
            row(b, "features", "FSYNC " + yes(f.fsync()) + ", FDSYNC " + yes(f.fdsync()) + ", POLL " + yes(f.poll())
                    + ", NOWAIT " + yes(f.nowait()) + ", DIOALIGN " + yes(f.dioAlign()));
            for (Map.Entry<String, String> e : new TreeMap<>(f.details()).entrySet()) {
                row(b, "  " + e.getKey(), e.getValue());
            }
        }
        for (PathReport p : paths) {
            b.append(p.path()).append('\n');
            if (p.error() != null) {
                row(b, "error", p.error());
                continue;
            }
            row(b, "type", p.kind());
            if (p.mount() != null) {
                row(b, "filesystem", p.mount().fsType() + " on " + p.mount().source() + ", mounted at "
                        + p.mount().mountPoint());
            }
            row(b, "O_DIRECT", p.oDirect());
            if (p.alignment() != null) {
                row(b, "alignment", p.alignment().combined() + " (memory " + p.alignment().memory() + ", offset "
                        + p.alignment().offset() + ", from " + p.alignment().source() + ")");
            }
            row(b, "device", p.device());
            if (p.logicalBlockSize() > 0) {
                row(b, "block size", "logical " + p.logicalBlockSize() + ", physical " + p.physicalBlockSize());
            }
        }
        return b.toString();
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    private static void row(StringBuilder b, String key, String value) {
        b.append(String.format("  %-16s %s%n", key, value));
    }

    static String json(SystemReport s, List<PathReport> paths, String version) {
        JsonObject j = new JsonObject();
        j.addProperty("kaio version", version);
        j.addProperty("kernel", s.kernelRelease());
        j.addProperty("arch", s.arch());
        j.addProperty("bindings", s.bindings());
        j.addProperty("java", s.javaVersion());
        j.addProperty("native_access", s.nativeAccess());
        j.addProperty("aio_available", s.available());
        j.addProperty("aio_unavailable_cause", s.unavailable());
        j.addProperty("aio_max_nr", s.limits().aioMaxNr());
        j.addProperty("aio_nr", s.limits().aioNr());
        j.addProperty("aio_headroom", s.limits().headroom());
        if (s.features() != null) {
            AioFeatures f = s.features();
            JsonObject features = new JsonObject();
            features.addProperty("fsync", f.fsync());
            features.addProperty("fdsync", f.fdsync());
            features.addProperty("poll", f.poll());
            features.addProperty("nowait", f.nowait());
            features.addProperty("dioalign", f.dioAlign());
            JsonObject details = new JsonObject();
            new TreeMap<>(f.details()).forEach(details::addProperty);
            features.add("details", details);
            j.add("features", features);
        }
        JsonArray array = new JsonArray();
        for (PathReport p : paths) {
            JsonObject m = new JsonObject();
            m.addProperty("path", p.path().toString());
            m.addProperty("type", p.kind());
            m.addProperty("error", p.error());
            if (p.mount() != null) {
                m.addProperty("filesystem", p.mount().fsType());
                m.addProperty("mount_point", p.mount().mountPoint());
                m.addProperty("mount_source", p.mount().source());
            }
            m.addProperty("o_direct", p.oDirect());
            if (p.alignment() != null) {
                m.addProperty("alignment", p.alignment().combined());
                m.addProperty("alignment_memory", p.alignment().memory());
                m.addProperty("alignment_offset", p.alignment().offset());
                m.addProperty("alignment_source", p.alignment().source());
            }
            m.addProperty("device", p.device());
            m.addProperty("logical_block_size", p.logicalBlockSize());
            m.addProperty("physical_block_size", p.physicalBlockSize());
            array.add(m);
        }
        j.add("paths", array);
        return Reports.json(j);
    }
}
