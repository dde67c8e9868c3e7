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
package dev.kaio.examples.wal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The example as a program.
 *
 * <pre>
 * append LOG [--mode pwritev-fdsync|rwf-dsync|filechannel] [--writers 8] [--seconds 5]
 *            [--capacity-mib 256] [--writes-in-flight 4] [--seed 1] [--acks]
 *     creates LOG and appends demo records from the writer threads until the time is up or the log is
 *     full; with --acks prints "ack WRITER SEQ POSITION" for each record once it is durable
 * recover LOG [--seed 1]
 *     scans LOG and checks every record found against the demo's records of that seed
 * </pre>
 *
 * Run with {@code --enable-native-access=ALL-UNNAMED} (kaio on the class path).
 */
public final class WalDemo {

    private WalDemo() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--acks")) {
                opts.put(a, "true");
            } else if (a.startsWith("--") && i + 1 < args.length) {
                opts.put(a, args[++i]);
            } else {
                usage();
            }
        }
        Path log = Path.of(args[1]);
        long seed = Long.parseLong(opts.getOrDefault("--seed", "1"));
        switch (args[0]) {
            case "append" -> append(log, opts, seed);
            case "recover" -> recover(log, seed);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: WalDemo append LOG [--mode pwritev-fdsync|rwf-dsync|filechannel] [--writers N] "
                + "[--seconds S] [--capacity-mib M] [--writes-in-flight N] [--seed N] [--acks]\n       WalDemo recover LOG [--seed N]");
        System.exit(2);
    }

    static CommitMode mode(String name) {
        return switch (name) {
            case "pwritev-fdsync" -> CommitMode.PWRITEV_FDSYNC;
            case "rwf-dsync" -> CommitMode.RWF_DSYNC;
            case "filechannel" -> CommitMode.FILE_CHANNEL;
            default -> throw new IllegalArgumentException("unknown mode " + name);
        };
    }

    private static void append(Path path, Map<String, String> opts, long seed) throws Exception {
        int writers = Integer.parseInt(opts.getOrDefault("--writers", "8"));
        double seconds = Double.parseDouble(opts.getOrDefault("--seconds", "5"));
        WalOptions options = WalOptions.defaults()
                .withMode(mode(opts.getOrDefault("--mode", "pwritev-fdsync")))
                .withCapacity(Long.parseLong(opts.getOrDefault("--capacity-mib", "256")) << 20)
                .withWritesInFlight(Integer.parseInt(opts.getOrDefault("--writes-in-flight",
                        Integer.toString(WalOptions.defaults().writesInFlight()))));
        boolean acks = opts.containsKey("--acks");
        // one write(2) per line: an acknowledgement is out of this process as soon as it is printed
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong full = new AtomicLong();
        long started;
        WriteAheadLog.Stats stats;
        try (WriteAheadLog log = WriteAheadLog.create(path, options)) {
            out.println("log " + path + " " + options.mode() + " alignment " + log.alignment() + " capacity "
                    + log.capacity());
            List<Thread> threads = new ArrayList<>();
            started = System.nanoTime();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().name("appender-" + w).start(() -> {
                    try {
                        for (long seq = 0; System.nanoTime() < deadline; seq++) {
                            long position = log.append(DemoRecords.payload(seed, writer, seq));
                            if (acks) {
                                out.println("ack " + writer + " " + seq + " " + position);
                            }
                        }
                    } catch (LogFullException e) {
                        full.incrementAndGet();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            stats = log.stats();
        }
        double s = (System.nanoTime() - started) / 1e9;
        out.printf(Locale.ROOT, "appended %d records (%.1f MiB with headers and padding) in %.1f s: %.0f durable "
                + "records/s, %d batches (%.1f records each), %d syncs%s%n", stats.records(),
                stats.durableBytes() / 1048576.0, s, stats.records() / s, stats.batches(),
                (double) stats.records() / Math.max(1, stats.batches()), stats.syncs(),
                full.get() > 0 ? " (the log filled up)" : "");
    }

    private static void recover(Path path, long seed) throws IOException {
        long[] bad = new long[1];
        LogRecovery.Result r = LogRecovery.scan(path, (position, payload) -> {
            if (!DemoRecords.intact(seed, payload)) {
                bad[0]++;
            }
        });
        System.out.printf(Locale.ROOT, "recovered %d records, %d bytes of log; stopped at %d: %s; %d records not "
                + "what the demo wrote%n", r.records(), r.end(), r.stopPosition(), r.stopReason(), bad[0]);
        if (bad[0] > 0) {
            System.exit(1);
        }
    }
}
