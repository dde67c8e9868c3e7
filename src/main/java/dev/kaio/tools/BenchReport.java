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

import java.util.Locale;

/** Prints a {@link BenchResult} as fio does: a human report, or JSON with fio's field names. */
final class BenchReport {

    static final double[] PERCENTILES = {1, 5, 10, 50, 90, 95, 99, 99.5, 99.9, 99.99};

    private BenchReport() {}

    static String text(BenchResult r) {
        BenchOptions o = r.options;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "kaio bench: rw=%s bs=%s iodepth=%d direct=%d%s engine=kaio-aioqueue%n",
                o.rw().fioName, Units.bytes(o.blockSize()), o.ioDepth(), o.direct() ? 1 : 0,
                o.vectored() > 0 ? " vectored=" + o.vectored() + "x" + Units.bytes(o.blockSize()) : ""));
        b.append("  target: ").append(r.target).append('\n');
        if (o.direct()) {
            b.append(String.format(Locale.ROOT, "  O_DIRECT alignment: %d (memory %d, offset %d, from %s)%n",
                    r.alignment.combined(), r.alignment.memory(), r.alignment.offset(), r.alignment.source()));
        }
        direction(b, "read", r, r.read);
        direction(b, "write", r, r.write);
        b.append(String.format(Locale.ROOT,
                "  requests: submitted=%d completed=%d verified=%s errors=%d; io_submit calls=%d, io_getevents calls=%d%n",
                r.submitted, r.completed, r.verifying ? Long.toString(r.verified) : "off", r.errors, r.ioSubmitCalls,
                r.ioGeteventsCalls));
        if (r.firstError != null) {
            b.append("  error: ").append(r.firstError).append('\n');
        }
        return b.toString();
    }

    private static void direction(StringBuilder b, String name, BenchResult r, BenchResult.Direction d) {
        if (d.ios == 0) {
            return;
        }
        b.append(String.format(Locale.ROOT, "  %s: IOPS=%s, BW=%s (%.1fMB/s)(%s/%dmsec)%n", name,
                Units.count(r.iops(d)), Units.rate(r.bandwidth(d)), r.bandwidth(d) / 1e6, Units.bytes(d.bytes),
                r.elapsedNanos / 1_000_000));
        LatencyHistogram h = d.clat;
        b.append(String.format(Locale.ROOT, "    clat (usec): min=%.1f, max=%.1f, avg=%.2f, stdev=%.2f%n",
                h.min() / 1e3, h.max() / 1e3, h.mean() / 1e3, h.stddev() / 1e3));
        b.append(String.format(Locale.ROOT,
                "    clat percentiles (usec): p50=%.1f, p90=%.1f, p99=%.1f, p99.9=%.1f, max=%.1f%n",
                h.percentile(50) / 1e3, h.percentile(90) / 1e3, h.percentile(99) / 1e3, h.percentile(99.9) / 1e3,
                h.max() / 1e3));
    }

    static String json(BenchResult r, String version) {
        BenchOptions o = r.options;
        Json j = new Json().begin();
        j.field("fio version", "kaio-" + version); // fio's tools look for this key; the value says who wrote it
        j.field("kaio version", version);
        j.field("timestamp", System.currentTimeMillis() / 1000);
        j.field("time", java.time.ZonedDateTime.now().toString());
        j.array("jobs");
        j.objectInArray();
        j.field("jobname", "kaio-bench");
        j.field("groupid", 0);
        j.field("error", r.errors == 0 ? 0 : 1);
        j.object("job options");
        j.field("rw", o.rw().fioName);
        j.field("bs", Integer.toString(o.blockSize()));
        j.field("iodepth", Integer.toString(o.ioDepth()));
        j.field("direct", o.direct() ? "1" : "0");
        j.field("ioengine", "kaio");
        j.field("filename", r.target);
        if (o.rw() == BenchOptions.Workload.RANDRW || o.rw() == BenchOptions.Workload.RW) {
            j.field("rwmixread", Integer.toString(o.rwMixRead()));
        }
        if (o.vectored() > 0) {
            j.field("vectored", Integer.toString(o.vectored()));
        }
        if (o.ios() > 0) {
            j.field("number_ios", Long.toString(o.ios()));
        } else {
            j.field("runtime", Long.toString(o.runtimeNanos() / 1_000_000) + "ms");
        }
        if (o.rampNanos() > 0) {
            j.field("ramp_time", Long.toString(o.rampNanos() / 1_000_000) + "ms");
        }
        j.end();
        j.field("elapsed", Math.max(1, Math.round(r.seconds())));
        direction(j, "read", r, r.read);
        direction(j, "write", r, r.write);
        j.object("kaio");
        j.field("submitted", r.submitted);
        j.field("completed", r.completed);
        j.field("verified", r.verified);
        j.field("verify", r.verifying);
        j.field("verify_failures", r.verifyFailures);
        j.field("errors", r.errors);
        j.field("first_error", r.firstError);
        j.field("io_submit_calls", r.ioSubmitCalls);
        j.field("io_getevents_calls", r.ioGeteventsCalls);
        j.field("elapsed_ns", r.elapsedNanos);
        j.field("alignment", r.alignment.combined());
        j.field("alignment_source", r.alignment.source());
        j.field("temporary_file", r.temporary);
        j.end();
        j.end();
        j.endArray();
        return j.end().toString();
    }

    private static void direction(Json j, String name, BenchResult r, BenchResult.Direction d) {
        j.object(name);
        j.field("io_bytes", d.bytes);
        j.field("io_kbytes", d.bytes / 1024);
        j.field("bw_bytes", Math.round(r.bandwidth(d)));
        j.field("bw", Math.round(r.bandwidth(d) / 1024));
        j.field("iops", r.iops(d));
        j.field("runtime", d.ios == 0 ? 0 : Math.max(1, r.elapsedNanos / 1_000_000));
        j.field("total_ios", d.ios);
        j.field("short_ios", 0);
        j.field("drop_ios", 0);
        histogram(j, "clat_ns", d.clat);
        histogram(j, "lat_ns", d.lat);
        j.end();
    }

    private static void histogram(Json j, String name, LatencyHistogram h) {
        j.object(name);
        j.field("min", h.min());
        j.field("max", h.max());
        j.field("mean", h.mean());
        j.field("stddev", h.stddev());
        j.field("N", h.count());
        if (h.count() > 0) {
            j.object("percentile");
            for (double p : PERCENTILES) {
                j.field(String.format(Locale.ROOT, "%.6f", p), h.percentile(p));
            }
            j.end();
        }
        j.end();
    }
}
