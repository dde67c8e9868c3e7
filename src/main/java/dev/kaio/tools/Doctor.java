package dev.kaio.tools;

import dev.kaio.Aio;
import dev.kaio.AioFeatures;
import dev.kaio.AioLimits;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectIoAlignment;
import dev.kaio.engine.RawFile;
import dev.kaio.internal.sys.ArchConstants;
import dev.kaio.internal.sys.FileStat;
import dev.kaio.internal.sys.KernelFiles;
import dev.kaio.internal.sys.KernelProbe;
import dev.kaio.internal.sys.NativeAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kaio doctor}: what this system offers Linux AIO, and what each given path needs. Every value
 * is read from the kernel (statx, ioctl, /proc, /sys), never assumed.
 */
final class Doctor {

    /** One mount from /proc/self/mountinfo. */
    record Mount(int major, int minor, String mountPoint, String fsType, String source) {}

    /** What doctor found for one path. */
    record PathReport(Path path, String kind, String error, Mount mount, String oDirect, DirectIoAlignment alignment,
            String device, int logicalBlockSize, int physicalBlockSize) {}

    record SystemReport(String kernelRelease, String arch, String javaVersion, String javaVendor, boolean nativeAccess,
            boolean available, String unavailable, AioLimits limits, AioFeatures features) {}

    static final String USAGE = """
            usage: kaio doctor [--json] [PATH...]

              Checks the system for Linux AIO (kernel, native access, fs.aio-max-nr headroom, the kernel
              features kaio probes) and, for each PATH (a directory, file or block device): the filesystem,
              whether O_DIRECT opens, the O_DIRECT alignment and where it came from, and the logical and
              physical block size of the device under it.
            """;

    private Doctor() {}

    static SystemReport system() {
        boolean available = Aio.isAvailable();
        AioFeatures features = available ? Aio.features() : null;
        return new SystemReport(KernelProbe.kernelRelease(), System.getProperty("os.arch"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"), NativeAccess.isEnabled(),
                available, available ? null : Aio.unavailabilityCause().getMessage(), Aio.limits(), features);
    }

    static PathReport path(Path path) {
        FileStat stat;
        try {
            stat = FileStat.ofPath(path);
        } catch (IOException e) {
            return new PathReport(path, "missing", e.getMessage(), null, null, null, null, -1, -1);
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
            logical = KernelFiles.blockQueueInt(major, minor, "logical_block_size");
            physical = KernelFiles.blockQueueInt(major, minor, "physical_block_size");
        } else {
            device = major + ":" + minor + " (no block device: " + (mount != null ? mount.fsType() : "virtual") + ")";
        }
        if (stat.isBlockDevice()) {
            try (RawFile f = RawFile.open(path, StandardOpenOption.READ)) {
                logical = FileStat.logicalBlockSize(f.fd(), path.toString());
                physical = FileStat.physicalBlockSize(f.fd(), path.toString());
            } catch (IOException e) {
                // sysfs values stand
            }
        }
        return new PathReport(path, kind, null, mount, oDirect, alignment, device, logical, physical);
    }

    /** The mount holding {@code path}: the longest mount point above it, preferring one with its st_dev. */
    static Mount mountOf(Path path, FileStat stat) {
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
        row(b, "bindings", ArchConstants.Arch.describeCurrent());
        row(b, "java", s.javaVersion() + " (" + s.javaVendor() + ")");
        row(b, "native access", s.nativeAccess() ? "enabled" : "NOT enabled: " + NativeAccess.MESSAGE);
        row(b, "linux aio", s.available() ? "available" : "NOT available: " + s.unavailable());
        AioLimits l = s.limits();
        row(b, "aio-max-nr", l.aioMaxNr() + " (aio-nr " + l.aioNr() + ", headroom " + l.headroom() + " events)");
        if (s.features() != null) {
            AioFeatures f = s.features();
            row(b, "features", "FSYNC " + yes(f.fsync()) + ", FDSYNC " + yes(f.fdsync()) + ", POLL " + yes(f.poll())
                    + ", NOWAIT " + yes(f.nowait()) + ", DIOALIGN " + yes(f.dioAlign()));
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(f.details()).entrySet()) {
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
        Json j = new Json().begin();
        j.field("kaio version", version);
        j.field("kernel", s.kernelRelease());
        j.field("arch", s.arch());
        j.field("bindings", ArchConstants.Arch.describeCurrent());
        j.field("java", s.javaVersion());
        j.field("native_access", s.nativeAccess());
        j.field("aio_available", s.available());
        j.field("aio_unavailable_cause", s.unavailable());
        j.field("aio_max_nr", s.limits().aioMaxNr());
        j.field("aio_nr", s.limits().aioNr());
        j.field("aio_headroom", s.limits().headroom());
        if (s.features() != null) {
            AioFeatures f = s.features();
            j.object("features");
            j.field("fsync", f.fsync());
            j.field("fdsync", f.fdsync());
            j.field("poll", f.poll());
            j.field("nowait", f.nowait());
            j.field("dioalign", f.dioAlign());
            j.object("details");
            j.fields(new java.util.TreeMap<>(f.details()));
            j.end();
            j.end();
        }
        j.array("paths");
        for (PathReport p : paths) {
            j.objectInArray();
            j.field("path", p.path().toString());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", p.kind());
            m.put("error", p.error());
            if (p.mount() != null) {
                m.put("filesystem", p.mount().fsType());
                m.put("mount_point", p.mount().mountPoint());
                m.put("mount_source", p.mount().source());
            }
            m.put("o_direct", p.oDirect());
            if (p.alignment() != null) {
                m.put("alignment", p.alignment().combined());
                m.put("alignment_memory", p.alignment().memory());
                m.put("alignment_offset", p.alignment().offset());
                m.put("alignment_source", p.alignment().source());
            }
            m.put("device", p.device());
            m.put("logical_block_size", p.logicalBlockSize());
            m.put("physical_block_size", p.physicalBlockSize());
            j.fields(m);
            j.end();
        }
        j.endArray();
        return j.end().toString();
    }
}
