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
import java.util.Locale;
import org.HdrHistogram.Histogram;

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
        Histogram h = d.clat;
        b.append(String.format(Locale.ROOT, "    clat (usec): min=%.1f, max=%.1f, avg=%.2f, stdev=%.2f%n",
                h.getMinValue() / 1e3, h.getMaxValue() / 1e3, h.getMean() / 1e3, h.getStdDeviation() / 1e3));
        b.append(String.format(Locale.ROOT,
                "    clat percentiles (usec): p50=%.1f, p90=%.1f, p99=%.1f, p99.9=%.1f, max=%.1f%n",
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3));
    }

    static String json(BenchResult r, String version) {
        BenchOptions o = r.options;
        JsonObject top = new JsonObject();
        top.addProperty("fio version", "kaio-" + version); // fio's tools look for this key; the value says who wrote it
        top.addProperty("kaio version", version);
        top.addProperty("timestamp", System.currentTimeMillis() / 1000);
        top.addProperty("time", java.time.ZonedDateTime.now().toString());
        JsonObject job = new JsonObject();
        job.addProperty("jobname", "kaio-bench");
        job.addProperty("groupid", 0);
        job.addProperty("error", r.errors == 0 ? 0 : 1);
        JsonObject options = new JsonObject();
        options.addProperty("rw", o.rw().fioName);
        options.addProperty("bs", Integer.toString(o.blockSize()));
        options.addProperty("iodepth", Integer.toString(o.ioDepth()));
        options.addProperty("direct", o.direct() ? "1" : "0");
        options.addProperty("ioengine", "kaio");
        options.addProperty("filename", r.target);
        if (o.rw() == BenchOptions.Workload.RANDRW || o.rw() == BenchOptions.Workload.RW) {
            options.addProperty("rwmixread", Integer.toString(o.rwMixRead()));
        }
        if (o.vectored() > 0) {
            options.addProperty("vectored", Integer.toString(o.vectored()));
        }
        if (o.ios() > 0) {
            options.addProperty("number_ios", Long.toString(o.ios()));
        } else {
            options.addProperty("runtime", Long.toString(o.runtimeNanos() / 1_000_000) + "ms");
        }
        if (o.rampNanos() > 0) {
            options.addProperty("ramp_time", Long.toString(o.rampNanos() / 1_000_000) + "ms");
        }
        job.add("job options", options);
        job.addProperty("elapsed", Math.max(1, Math.round(r.seconds())));
        job.add("read", direction(r, r.read));
        job.add("write", direction(r, r.write));
        JsonObject kaio = new JsonObject();
        kaio.addProperty("submitted", r.submitted);
        kaio.addProperty("completed", r.completed);
        kaio.addProperty("verified", r.verified);
        kaio.addProperty("verify", r.verifying);
        kaio.addProperty("verify_failures", r.verifyFailures);
        kaio.addProperty("errors", r.errors);
        kaio.addProperty("first_error", r.firstError);
        kaio.addProperty("io_submit_calls", r.ioSubmitCalls);
        kaio.addProperty("io_getevents_calls", r.ioGeteventsCalls);
        kaio.addProperty("elapsed_ns", r.elapsedNanos);
        kaio.addProperty("alignment", r.alignment.combined());
        kaio.addProperty("alignment_source", r.alignment.source());
        kaio.addProperty("temporary_file", r.temporary);
        job.add("kaio", kaio);
        JsonArray jobs = new JsonArray();
        jobs.add(job);
        top.add("jobs", jobs);
        return Reports.json(top);
    }

    private static JsonObject direction(BenchResult r, BenchResult.Direction d) {
        JsonObject j = new JsonObject();
        j.addProperty("io_bytes", d.bytes);
        j.addProperty("io_kbytes", d.bytes / 1024);
        j.addProperty("bw_bytes", Math.round(r.bandwidth(d)));
        j.addProperty("bw", Math.round(r.bandwidth(d) / 1024));
        j.add("iops", Reports.number(r.iops(d)));
        j.addProperty("runtime", d.ios == 0 ? 0 : Math.max(1, r.elapsedNanos / 1_000_000));
        j.addProperty("total_ios", d.ios);
        j.addProperty("short_ios", 0);
        j.addProperty("drop_ios", 0);
        j.add("clat_ns", histogram(d.clat));
        j.add("lat_ns", histogram(d.lat));
        return j;
    }

    private static JsonObject histogram(Histogram h) {
        JsonObject j = new JsonObject();
        j.addProperty("min", h.getMinValue());
        j.addProperty("max", h.getMaxValue());
        j.add("mean", Reports.number(h.getMean()));
        j.add("stddev", Reports.number(h.getStdDeviation()));
        j.addProperty("N", h.getTotalCount());
        if (h.getTotalCount() > 0) {
            JsonObject percentiles = new JsonObject();
            for (double p : PERCENTILES) {
                percentiles.addProperty(String.format(Locale.ROOT, "%.6f", p), h.getValueAtPercentile(p));
            }
            j.add("percentile", percentiles);
        }
        return j;
    }
}
