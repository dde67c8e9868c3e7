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
package dev.kaio.bench;

import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns one bench/compare.sh run (fio JSON, JMH JSON and kaio-bench JSON files listed in index.tsv)
 * into results.md (tables of IOPS and ratios, latency, allocation, the targets met or missed) and a
 * gnuplot script for the chart.
 *
 * <pre>java -cp benchmarks.jar dev.kaio.bench.Report RESULTS_DIR</pre>
 */
public final class Report {

    /** One measured point. */
    record Point(double iops, double p50us, double p99us, double p999us, double allocBytesPerOp, double cpuNsPerOp) {
        Point(double iops, double p50us, double p99us, double p999us, double allocBytesPerOp) {
            this(iops, p50us, p99us, p999us, allocBytesPerOp, Double.NaN);
        }
    }

    /** (target, rw, bs, depth) -> implementation -> point. */
    private final Map<String, Map<String, Point>> random = new TreeMap<>();
    private final Map<String, Map<String, Point>> latency = new TreeMap<>();
    private final Map<String, Double> vectored = new TreeMap<>();
    private final Map<String, Double> journal = new TreeMap<>();
    private final WalSection wal = new WalSection();
    private final Map<String, String> targets = new LinkedHashMap<>();
    private final Path dir;

    private Report(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Report r = new Report(dir);
        r.load();
        Files.writeString(dir.resolve("results.md"), r.markdown());
        Files.writeString(dir.resolve("chart.gp"), r.gnuplot());
        System.out.println("wrote " + dir.resolve("results.md"));
    }

    static String key(String target, String rw, int bs, int depth) {
        return String.format(Locale.ROOT, "%s|%s|%08d|%04d", target, rw, bs, depth);
    }

    private void load() throws IOException {
        for (String line : Files.readAllLines(dir.resolve("index.tsv"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            String kind = f[0];
            switch (kind) {
                case "target" -> targets.put(f[1], f[2]);
                case "fio" -> loadFio(f[1], f[2], f[3]);
                case "kaio-bench" -> loadKaioBench(f[1], f[2], f[3]);
                case "fio-oneinflight" -> loadFioOneInFlight(f[1], f[2], Integer.parseInt(f[3]), f[4], f[5]);
                case "jmh" -> loadJmh(f[1], f[2]);
                default -> { }
            }
        }
    }

    private static JsonElement read(Path p) throws IOException {
        return Json.parse(Files.readString(p));
    }

    /** Repeated measurements of the same key (fio before and after each JMH run, two rounds) are averaged. */
    private final Map<String, List<Point>> samples = new java.util.HashMap<>();

    private void put(Map<String, Map<String, Point>> map, String key, String impl, Point p) {
        List<Point> all = samples.computeIfAbsent(System.identityHashCode(map) + "|" + key + "|" + impl,
                k -> new ArrayList<>());
        all.add(p);
        map.computeIfAbsent(key, k -> new TreeMap<>()).put(impl, new Point(
                all.stream().mapToDouble(Point::iops).average().orElse(Double.NaN),
                mean(all, Point::p50us), mean(all, Point::p99us), mean(all, Point::p999us),
                mean(all, Point::allocBytesPerOp), mean(all, Point::cpuNsPerOp)));
    }

    private static double mean(List<Point> all, java.util.function.ToDoubleFunction<Point> f) {
        return all.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }

    private void loadFio(String target, String workload, String file) throws IOException {
        JsonElement j = read(dir.resolve(file));
        String[] w = workload.split(":");
        String rw = w[0];
        int bs = Integer.parseInt(w[1]);
        int depth = Integer.parseInt(w[2]);
        JsonElement job = Json.path(j, "jobs", "0");
        double iops = Json.num(job, "read", "iops") + Json.num(job, "write", "iops");
        String dirn = rw.equals("randwrite") ? "write" : "read";
        // lat = submission + completion, what a JMH sample of "submit and wait" measures (needs
        // fio --lat_percentiles=1; clat, which excludes the io_submit time, otherwise)
        String lat = Json.path(job, dirn, "lat_ns", "percentile") != null ? "lat_ns" : "clat_ns";
        double p50 = Json.num(job, dirn, lat, "percentile", "50.000000") / 1000;
        double p99 = Json.num(job, dirn, lat, "percentile", "99.000000") / 1000;
        double p999 = Json.num(job, dirn, lat, "percentile", "99.900000") / 1000;
        Point p = new Point(iops, p50, p99, p999, Double.NaN, fioCpuNsPerOp(job, iops, 1));
        if (!target.endsWith("-cpu0")) { // only the latency runs are repeated on CPU 0
            put(random, key(target, rw, bs, depth), "fio", p);
        }
        if (depth == 1 && rw.equals("randread")) {
            put(latency, target + "|" + bs, "fio", p);
        }
    }

    /**
     * fio's CPU time per I/O: its usr_cpu and sys_cpu are percentages of one CPU per job, over the run, so
     * {@code jobs} of them used that share each while doing {@code iops} together.
     */
    private static double fioCpuNsPerOp(JsonElement job, double iops, double jobs) {
        return (Json.num(job, "usr_cpu") + Json.num(job, "sys_cpu")) / 100 * jobs * 1e9 / iops;
    }

    private void loadKaioBench(String target, String workload, String file) throws IOException {
        JsonElement j = read(dir.resolve(file));
        String[] w = workload.split(":");
        JsonElement job = Json.path(j, "jobs", "0");
        double iops = Json.num(job, "read", "iops") + Json.num(job, "write", "iops");
        String dirn = w[0].equals("randwrite") ? "write" : "read";
        Point p = new Point(iops, Json.num(job, dirn, "clat_ns", "percentile", "50.000000") / 1000,
                Json.num(job, dirn, "clat_ns", "percentile", "99.000000") / 1000,
                Json.num(job, dirn, "clat_ns", "percentile", "99.900000") / 1000, Double.NaN);
        put(random, key(target, w[0], Integer.parseInt(w[1]), Integer.parseInt(w[2])), "kaio bench (CLI)", p);
    }

    private void loadJmh(String target, String file) throws IOException {
        JsonElement j = read(dir.resolve(file));
        for (JsonElement run : j.getAsJsonArray()) {
            String bench = Json.str(run, "benchmark");
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            double score = Json.num(run, "primaryMetric", "score");
            double alloc = Json.num(run, "secondaryMetrics", "gc.alloc.rate.norm", "score");
            switch (cls) {
                case "RandomIoBench" -> {
                    String rw = Json.str(run, "params", "rw");
                    int bs = Integer.parseInt(Json.str(run, "params", "bs"));
                    int depth = Integer.parseInt(Json.str(run, "params", "depth"));
                    double cpu = Json.num(run, "secondaryMetrics", "cpu.ns/op", "score");
                    put(random, key(target, rw, bs, depth), method, new Point(score, Double.NaN, Double.NaN, Double.NaN,
                            alloc, cpu));
                }
                case "LatencyBench" -> {
                    int bs = Integer.parseInt(Json.str(run, "params", "bs"));
                    put(latency, target + "|" + bs, method, new Point(1e6 / score,
                            Json.num(run, "primaryMetric", "scorePercentiles", "50.0"),
                            Json.num(run, "primaryMetric", "scorePercentiles", "99.0"),
                            Json.num(run, "primaryMetric", "scorePercentiles", "99.9"), alloc));
                }
                case "VectoredBench" -> vectored.put(target + "|depth " + Json.str(run, "params", "depth") + "|" + method,
                        score);
                case "JournalBench" -> journal.put(target + "|batch " + Json.str(run, "params", "batch") + "|" + method,
                        score);
                case "WalBench" -> wal.add(target, file, Json.str(run, "params", "mode"),
                        (int) Json.num(run, "threads"), score);
                case "OneInFlightBench" -> loadOneInFlight(target, file, method, (int) Json.num(run, "threads"), score,
                        alloc, Json.num(run, "secondaryMetrics", "cpu.ns/op", "score"));
                default -> { }
            }
        }
    }

    // ------------------------------------------------------------------------------------ output

    static final List<String> ORDER = List.of("fio", "kaio bench (CLI)", "kaioQueue", "kaioQueueBatched",
            "kaioQueueSyscalls", "kaioFile",
            "kaioChannel", "jdkAsyncChannel", "jdkThreads", "jdkFileChannel", "artemis");

    private String markdown() throws IOException {
        StringBuilder b = new StringBuilder();
        Path meta = dir.resolve("machine.txt");
        b.append("# kaio benchmarks\n\n");
        if (Files.exists(meta)) {
            b.append("```\n").append(Files.readString(meta).trim()).append("\n```\n\n");
        }
        for (Map.Entry<String, String> t : targets.entrySet()) {
            b.append("- **").append(t.getKey()).append("**: ").append(t.getValue()).append('\n');
        }
        b.append('\n');
        b.append(targetsTable());
        b.append("## IOPS (ops/s) by implementation\n\n");
        b.append("Ratios: kaio low-level (`kaioQueue`) and `kaioFile` futures over fio's libaio engine, and kaio over "
                + "the JDK's AsynchronousFileChannel and over Artemis's JNI binding. Where a point was measured more "
                + "than once (fio before and after each JMH run; the loop device's depth 32 in two rounds), the "
                + "mean is shown.\n\n");
        Map<String, List<String>> groups = new TreeMap<>();
        for (String k : random.keySet()) {
            String[] p = k.split("\\|");
            groups.computeIfAbsent(p[0] + "|" + p[1] + "|" + p[2], x -> new ArrayList<>()).add(k);
        }
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            String[] p = g.getKey().split("\\|");
            TreeSet<String> impls = new TreeSet<>((a, c) -> Integer.compare(rank(a), rank(c)));
            for (String k : g.getValue()) {
                impls.addAll(random.get(k).keySet());
            }
            b.append("### ").append(p[0]).append(", ").append(p[1]).append(", bs ").append(size(Integer.parseInt(p[2])))
                    .append("\n\n| depth |");
            for (String impl : impls) {
                b.append(' ').append(impl).append(" |");
            }
            b.append(" kaioQueue/fio | kaioFile/fio | kaioQueue/jdkAsync | kaioQueue/artemis | MB/s fio | MB/s kaioQueue |"
                    + "\n|---|");
            b.append("---|".repeat(impls.size() + 6)).append('\n');
            for (String k : g.getValue()) {
                Map<String, Point> row = random.get(k);
                b.append("| ").append(Integer.parseInt(k.split("\\|")[3])).append(" |");
                for (String impl : impls) {
                    Point pt = row.get(impl);
                    b.append(' ').append(pt == null ? "-" : fmt(pt.iops)).append(" |");
                }
                int bs = Integer.parseInt(k.split("\\|")[2]);
                b.append(' ').append(ratio(row, "kaioQueue", "fio")).append(" | ").append(ratio(row, "kaioFile", "fio"))
                        .append(" | ").append(ratio(row, "kaioQueue", "jdkAsyncChannel")).append(" | ")
                        .append(ratio(row, "kaioQueue", "artemis")).append(" | ").append(mbs(row.get("fio"), bs))
                        .append(" | ").append(mbs(row.get("kaioQueue"), bs)).append(" |\n");
            }
            b.append('\n');
        }
        if (!latency.isEmpty()) {
            b.append("## Latency at queue depth 1 (µs; fio: lat = submit to completion, JMH: SampleTime of one submit + wait)\n\n");
            b.append("| target, bs | implementation | p50 | p99 | p99.9 | p50 / fio p50 | p99 / fio p99 |\n"
                    + "|---|---|---|---|---|---|---|\n");
            for (Map.Entry<String, Map<String, Point>> e : latency.entrySet()) {
                Point fio = e.getValue().get("fio");
                for (String impl : sorted(e.getValue().keySet())) {
                    Point pt = e.getValue().get(impl);
                    b.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %s | %s |%n",
                            e.getKey().replace("|", ", "), impl, pt.p50us, pt.p99us, pt.p999us,
                            fio == null ? "-" : String.format(Locale.ROOT, "%.2f", pt.p50us / fio.p50us),
                            fio == null ? "-" : String.format(Locale.ROOT, "%.2f", pt.p99us / fio.p99us)));
                }
            }
            b.append('\n');
        }
        b.append(oneInFlightTable());
        b.append(wal.markdown());
        b.append(allocationTable());
        b.append(cpuTable());
        if (!vectored.isEmpty()) {
            b.append("## Vectored: one PREADV of 8 x 4 KiB vs 8 PREADs (32 KiB operations per second)\n\n");
            b.append("| target, depth, implementation | ops/s |\n|---|---|\n");
            vectored.forEach((k, v) -> b.append("| ").append(k.replace("|", ", ")).append(" | ").append(fmt(v)).append(" |\n"));
            b.append('\n');
        }
        if (!journal.isEmpty()) {
            b.append("## Journal: append 4 KiB + fdatasync (durable records per second)\n\n");
            b.append("| target, batch, implementation | records/s |\n|---|---|\n");
            journal.forEach((k, v) -> b.append("| ").append(k.replace("|", ", ")).append(" | ").append(fmt(v)).append(" |\n"));
            b.append('\n');
        }
        return b.toString();
    }

    private String allocationTable() {
        StringBuilder b = new StringBuilder();
        boolean any = false;
        StringBuilder rows = new StringBuilder();
        for (Map.Entry<String, Map<String, Point>> e : random.entrySet()) {
            for (Map.Entry<String, Point> i : e.getValue().entrySet()) {
                if (!Double.isNaN(i.getValue().allocBytesPerOp)) {
                    any = true;
                    String[] k = e.getKey().split("\\|");
                    rows.append(String.format(Locale.ROOT, "| %s | %s, %s %s, depth %d | %.3f |%n", i.getKey(), k[0],
                            k[1], size(Integer.parseInt(k[2])), Integer.parseInt(k[3]), i.getValue().allocBytesPerOp));
                }
            }
        }
        if (any) {
            b.append("## Allocation (JMH -prof gc, gc.alloc.rate.norm, bytes per I/O)\n\n");
            b.append("| implementation | workload | B/op |\n|---|---|---|\n").append(rows).append('\n');
        }
        return b.toString();
    }

    private String cpuTable() {
        StringBuilder rows = new StringBuilder();
        for (Map.Entry<String, Map<String, Point>> e : random.entrySet()) {
            String[] k = e.getKey().split("\\|");
            StringBuilder r = new StringBuilder();
            boolean any = false;
            for (String impl : sorted(e.getValue().keySet())) {
                Point p = e.getValue().get(impl);
                if (!Double.isNaN(p.cpuNsPerOp)) {
                    any = true;
                    r.append(String.format(Locale.ROOT, " %s %.2f,", impl, p.cpuNsPerOp / 1000));
                }
            }
            if (any) {
                rows.append(String.format(Locale.ROOT, "| %s, %s %s, depth %d |%s |%n", k[0], k[1],
                        size(Integer.parseInt(k[2])), Integer.parseInt(k[3]), r.substring(0, r.length() - 1)));
            }
        }
        if (rows.isEmpty()) {
            return "";
        }
        return "## CPU time per I/O (µs, user + kernel of the process; fio: usr_cpu + sys_cpu)\n\n"
                + "What each implementation costs the machine per request, apart from the device's own work (the "
                + "loop driver's worker threads are not counted). When the device is the bottleneck, IOPS converge "
                + "and this is where implementations differ.\n\n| workload | implementation µs/op |\n|---|---|\n"
                + rows + "\n";
    }

    private String targetsTable() {
        StringBuilder b = new StringBuilder("## Targets (4 KiB random read, O_DIRECT, loop device over /dev/shm)\n\n");
        b.append("| target | measured | needed | verdict |\n|---|---|---|---|\n");
        Map<String, Point> qd32 = random.get(key("loop", "randread", 4096, 32));
        if (qd32 != null) {
            target(b, "kaio low-level / fio, depth 32", ratioValue(qd32, "kaioQueue", "fio"), 0.95);
            target(b, "kaio AioFile futures / fio, depth 32", ratioValue(qd32, "kaioFile", "fio"), 0.90);
            target(b, "kaio / JDK AsynchronousFileChannel, depth 32", ratioValue(qd32, "kaioQueue", "jdkAsyncChannel"), 2.0);
            target(b, "kaio / Artemis JNI, depth 32", ratioValue(qd32, "kaioQueue", "artemis"), 1.2);
            target(b, "kaio bench (CLI) / fio, depth 32", ratioValue(qd32, "kaio bench (CLI)", "fio"), 0.95);
        }
        latencyTargets(b);
        oneInFlightTargets(b);
        if (qd32 != null && qd32.get("kaioQueue") != null && !Double.isNaN(qd32.get("kaioQueue").allocBytesPerOp)) {
            double a = qd32.get("kaioQueue").allocBytesPerOp;
            b.append(String.format(Locale.ROOT, "| kaio low-level allocation (JMH -prof gc), depth 32 | %.3f B/op | ~0 | %s |%n",
                    a, a < 1 ? "met" : "missed"));
        }
        return b.append('\n').toString();
    }

    private static void target(StringBuilder b, String what, double value, double needed) {
        if (Double.isNaN(value)) {
            b.append("| ").append(what).append(" | not measured | ").append(needed).append(" | - |\n");
            return;
        }
        b.append(String.format(Locale.ROOT, "| %s | %.2f | >= %.2f | %s |%n", what, value, needed,
                value >= needed ? "met" : String.format(Locale.ROOT, "missed by %.0f%%", (needed - value) / needed * 100)));
    }

    private static String mbs(Point p, int bs) {
        return p == null ? "-" : String.format(Locale.ROOT, "%.1f", p.iops * bs / 1e6);
    }

    private static double ratioValue(Map<String, Point> row, String a, String b) {
        Point pa = row.get(a);
        Point pb = row.get(b);
        return pa == null || pb == null ? Double.NaN : pa.iops / pb.iops;
    }

    private static String ratio(Map<String, Point> row, String a, String b) {
        double r = ratioValue(row, a, b);
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
    }

    private static int rank(String impl) {
        int i = ORDER.indexOf(impl);
        return i < 0 ? 100 + impl.hashCode() % 50 : i;
    }

    private static List<String> sorted(java.util.Collection<String> c) {
        List<String> l = new ArrayList<>(c);
        l.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        return l;
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String size(int bs) {
        return bs >= 1 << 20 ? (bs >> 20) + " MiB" : bs >= 1024 ? (bs >> 10) + " KiB" : bs + " B";
    }

    /** IOPS by depth, one line per implementation, for the loop device's 4 KiB random reads. */
    private String gnuplot() throws IOException {
        String group = "loop|randread|00004096";
        if (random.keySet().stream().noneMatch(k -> k.startsWith("loop|randread|00004096"))) {
            group = random.keySet().stream().findFirst().map(k -> k.substring(0, k.lastIndexOf('|'))).orElse("");
        }
        String chosen = group;
        List<String> keys = random.keySet().stream().filter(k -> k.startsWith(chosen)).toList();
        List<String> impls = new ArrayList<>(new TreeSet<>(keys.stream()
                .flatMap(k -> random.get(k).keySet().stream()).toList()));
        impls.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        StringBuilder data = new StringBuilder("# depth");
        for (String impl : impls) {
            data.append('\t').append(impl.replace(' ', '_'));
        }
        data.append('\n');
        for (String k : keys) {
            data.append(Integer.parseInt(k.split("\\|")[3]));
            for (String impl : impls) {
                Point p = random.get(k).get(impl);
                data.append('\t').append(p == null ? "NaN" : String.format(Locale.ROOT, "%.0f", p.iops));
            }
            data.append('\n');
        }
        Files.writeString(dir.resolve("chart.dat"), data);
        String[] g = group.split("\\|");
        StringBuilder gp = new StringBuilder();
        gp.append("set terminal pngcairo size 960,560 font 'sans,11' noenhanced\nset output 'chart.png'\n");
        gp.append("set title 'IOPS by queue depth: ").append(g[0]).append(", ").append(g.length > 1 ? g[1] : "")
                .append(" ").append(g.length > 2 ? size(Integer.parseInt(g[2])) : "").append(", O_DIRECT'\n");
        gp.append("set xlabel 'queue depth'\nset ylabel 'IOPS'\nset logscale x 2\nset key outside right\nset grid\n");
        gp.append("set format y '%.0s%c'\n");
        gp.append("plot ");
        for (int i = 0; i < impls.size(); i++) {
            gp.append(i == 0 ? "" : ", ").append("'chart.dat' using 1:").append(i + 2)
                    .append(" with linespoints lw 2 title '").append(impls.get(i)).append("'");
        }
        gp.append('\n');
        return gp.toString();
    }

    // ------------------------------------ one request in flight per thread (OneInFlightBench); depth-1 latency targets

    /**
     * OneInFlightBench: "target|threads" -> one map per JMH run (keyed by its file, jmh-oneinflight-...-runN, so in
     * run order) -> implementation -> point.
     */
    private final Map<String, Map<String, Map<String, Point>>> oneInFlight = new TreeMap<>(
            Comparator.comparing((String k) -> k.substring(0, k.indexOf('|'))).thenComparing(k -> k)); // loop first

    /** The baseline first, then kaio's ways of waiting for one read. */
    static final List<String> ONE_IN_FLIGHT = List.of("jdkFileChannel", "kaioJoin", "kaioJoinSpin", "kaioGet",
            "kaioChannelGet");
    /** The same pair in C, measured by fio before each JMH run: its own baseline first. */
    static final List<String> ONE_IN_FLIGHT_C = List.of("fio psync", "fio libaio");
    static final Map<String, String> ONE_IN_FLIGHT_NAMES = Map.of("kaioJoin", "AioFile read().join()",
            "kaioJoinSpin", "AioFile read().join() with spinWait 20 µs", "kaioGet", "AioFile read().get()",
            "kaioChannelGet", "KaioFileChannel read().get()");
    /** Issue 11: one read in flight per thread >= 0.95x FileChannel DIRECT; depth-1 p50 and p99 within 10% of fio. */
    static final double ONE_IN_FLIGHT_NEEDED = 0.95;
    static final double LATENCY_LIMIT = 1.10;

    private void loadOneInFlight(String target, String file, String method, int threads, double score, double alloc,
            double cpuNsPerOp) {
        oneInFlightRuns(target, threads).computeIfAbsent(file, k -> new TreeMap<>())
                .put(method, new Point(score, Double.NaN, Double.NaN, Double.NaN, alloc, cpuNsPerOp));
    }

    /** The runs of one (target, threads): JMH file -> implementation -> point. */
    private Map<String, Map<String, Point>> oneInFlightRuns(String target, int threads) {
        return oneInFlight.computeIfAbsent(String.format(Locale.ROOT, "%s|%03d", target, threads), k -> new TreeMap<>());
    }

    /**
     * fio's psync or libaio (iodepth 1) engine with as many jobs as threads, filed under the JMH run it preceded
     * (same target, threads and run number), so that each run's C ratio sits beside its Java ratio.
     */
    private void loadFioOneInFlight(String target, String engine, int threads, String run, String file)
            throws IOException {
        JsonElement job = Json.path(read(dir.resolve(file)), "jobs", "0");
        double iops = Json.num(job, "read", "iops");
        // job_runtime is the jobs' run times summed (ms): over the group's run time, how many jobs ran
        double jobs = Json.path(job, "job_runtime") != null
                ? Json.num(job, "job_runtime") / Json.num(job, "read", "runtime") : threads;
        String jmhFile = String.format(Locale.ROOT, "jmh-oneinflight-%s-t%d-run%s.json", target, threads, run);
        oneInFlightRuns(target, threads).computeIfAbsent(jmhFile, k -> new TreeMap<>())
                .put("fio " + engine, new Point(iops, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        fioCpuNsPerOp(job, iops, jobs)));
    }

    /** The mean of one measure of {@code impl} over the runs that have it. */
    private static double oneInFlightMean(Map<String, Map<String, Point>> runs, String impl,
            java.util.function.ToDoubleFunction<Point> f) {
        return runs.values().stream().map(r -> r.get(impl)).filter(java.util.Objects::nonNull).mapToDouble(f)
                .filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }

    /** FileChannel for the Java rows, fio's psync engine for the C rows. */
    private static String oneInFlightBaseline(String impl) {
        return impl.startsWith("fio") ? "fio psync" : "jdkFileChannel";
    }

    /** Mean ops/s of {@code impl} over mean ops/s of its baseline, over the runs of one (target, threads). */
    private static double oneInFlightRatio(Map<String, Map<String, Point>> runs, String impl) {
        return oneInFlightMean(runs, impl, Point::iops) / oneInFlightMean(runs, oneInFlightBaseline(impl), Point::iops);
    }

    private String oneInFlightTable() {
        if (oneInFlight.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("## One request in flight per thread (4 KiB O_DIRECT, loop device)\n\n");
        b.append("Each platform thread submits one random read and waits for it, in a loop; all threads share one "
                + "AioContext (`OneInFlightBench`, JMH `-t 1` and `-t 4`). Baseline: the JDK's blocking "
                + "`FileChannel.read(buf, pos)` opened with `ExtendedOpenOption.DIRECT`. Each JMH run measures all "
                + "five one after the other and is repeated, so kaio and FileChannel alternate; ops/s is the mean "
                + "over the runs, and each run's own ratio shows the spread. CPU: user + kernel time of the process "
                + "per read; B/op: JMH -prof gc. kaio's waiting thread sleeps at once by default; "
                + "`kaioJoinSpin` is `kaioJoin` on a context whose waiters first watch the completion ring for up to "
                + "20 µs (`AioContext.Options.spinWait`, opt-in). Right before each JMH run, the same pair in C: "
                + "`fio psync` (one `pread` per job) and `fio libaio` (iodepth 1: `io_submit` + `io_getevents`), "
                + "as many jobs as threads; its ratio (baseline: fio psync) is what kernel AIO itself allows for "
                + "this way of waiting. Target `loop-cpu0`: the JVM, fio and the kernel's unbound workers (the loop "
                + "device's among them) all on CPU 0, so that no read waits for the other vCPU to wake up "
                + "(see the README on this machine's bimodal latency); it measures cost per read.\n\n");
        b.append("| target, threads | implementation | ops/s | / baseline | each run / baseline | CPU µs/op | B/op |\n"
                + "|---|---|---|---|---|---|---|\n");
        List<String> rows = new ArrayList<>(ONE_IN_FLIGHT);
        rows.addAll(ONE_IN_FLIGHT_C);
        for (Map.Entry<String, Map<String, Map<String, Point>>> e : oneInFlight.entrySet()) {
            String[] k = e.getKey().split("\\|");
            Map<String, Map<String, Point>> runs = e.getValue();
            for (String impl : rows) {
                double iops = oneInFlightMean(runs, impl, Point::iops);
                if (Double.isNaN(iops)) {
                    continue;
                }
                StringBuilder each = new StringBuilder();
                for (Map<String, Point> run : runs.values()) {
                    Point p = run.get(impl);
                    Point base = run.get(oneInFlightBaseline(impl));
                    if (p != null && base != null) {
                        each.append(each.isEmpty() ? "" : ", ")
                                .append(String.format(Locale.ROOT, "%.2f", p.iops / base.iops));
                    }
                }
                double ratio = oneInFlightRatio(runs, impl);
                double alloc = oneInFlightMean(runs, impl, Point::allocBytesPerOp);
                b.append(String.format(Locale.ROOT, "| %s, %d | %s | %s | %s | %s | %.2f | %s |%n", k[0],
                        Integer.parseInt(k[1]), impl, fmt(iops),
                        Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio),
                        each.isEmpty() ? "-" : each, oneInFlightMean(runs, impl, Point::cpuNsPerOp) / 1000,
                        Double.isNaN(alloc) ? "-" : String.format(Locale.ROOT, "%.1f", alloc)));
            }
        }
        return b.append('\n').toString();
    }

    /**
     * Issue 11 (a), issue 12: each kaio way of waiting >= 0.95x FileChannel DIRECT, per target and thread count; beside
     * them, the same ratio in C (fio libaio iodepth 1 over fio psync), which is not a kaio target but the ceiling.
     */
    private void oneInFlightTargets(StringBuilder b) {
        for (Map.Entry<String, Map<String, Map<String, Point>>> e : oneInFlight.entrySet()) {
            String[] k = e.getKey().split("\\|");
            if (!k[0].startsWith("loop")) {
                continue;
            }
            int threads = Integer.parseInt(k[1]);
            String where = String.format(Locale.ROOT, "%d thread%s%s", threads, threads == 1 ? "" : "s",
                    k[0].equals("loop-cpu0") ? ", all on CPU 0" : "");
            for (String impl : ONE_IN_FLIGHT.subList(1, ONE_IN_FLIGHT.size())) {
                target(b, String.format(Locale.ROOT, "one in flight per thread: %s / FileChannel DIRECT, %s",
                        ONE_IN_FLIGHT_NAMES.get(impl), where), oneInFlightRatio(e.getValue(), impl), ONE_IN_FLIGHT_NEEDED);
            }
            if (e.getValue().values().stream().anyMatch(r -> r.containsKey("fio libaio"))) {
                target(b, String.format(Locale.ROOT, "(ceiling, C) fio libaio iodepth 1 / fio psync, %s", where),
                        oneInFlightRatio(e.getValue(), "fio libaio"), ONE_IN_FLIGHT_NEEDED);
            }
        }
    }

    /** Issue 11 (b): depth-1 p50 and p99 of kaio's queue and futures within 10% of fio's in the same run. */
    private void latencyTargets(StringBuilder b) {
        for (String target : List.of("loop", "loop-cpu0")) {
            Map<String, Point> lat = latency.get(target + "|4096");
            if (lat == null || !lat.containsKey("fio")) {
                continue;
            }
            Point fio = lat.get("fio");
            String where = target.equals("loop-cpu0") ? ", all on CPU 0" : "";
            for (String impl : List.of("kaioQueue", "kaioFile", "kaioQueueSpin", "kaioFileSpin")) {
                Point p = lat.get(impl);
                String name = (impl.startsWith("kaioQueue") ? "kaio low-level" : "kaio AioFile read().join()")
                        + (impl.endsWith("Spin") ? " with spinWait 20 µs" : "");
                atMost(b, name + " p50 / fio p50, depth 1" + where, p == null ? Double.NaN : p.p50us / fio.p50us,
                        LATENCY_LIMIT);
                atMost(b, name + " p99 / fio p99, depth 1" + where, p == null ? Double.NaN : p.p99us / fio.p99us,
                        LATENCY_LIMIT);
            }
        }
    }

    private static void atMost(StringBuilder b, String what, double value, double limit) {
        if (Double.isNaN(value)) {
            b.append(String.format(Locale.ROOT, "| %s | not measured | <= %.2f | - |%n", what, limit));
            return;
        }
        b.append(String.format(Locale.ROOT, "| %s | %.2f | <= %.2f | %s |%n", what, value, limit,
                value <= limit ? "met" : String.format(Locale.ROOT, "missed by %.0f%%", (value - limit) / limit * 100)));
    }
}
