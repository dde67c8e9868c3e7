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

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The {@code kaio} command: {@code kaio bench} (a fio-style load generator on kaio's low-level
 * engine) and {@code kaio doctor} (what this system offers Linux AIO). Exit status: 0 success,
 * 1 failure (I/O error, failed verification), 2 usage error.
 */
public final class Main {

    static final String USAGE = """
            usage: kaio <command> [options]

            commands:
              bench     run a fio-style benchmark through Linux AIO (kaio bench --help)
              doctor    check this system and paths for Linux AIO and O_DIRECT (kaio doctor --help)
              soak      a load run that verifies every acknowledged write (kaio soak --help)

            options:
              --help    this text
              --version kaio's version
            """;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool and returns its exit status (the tests call this directly). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> list = new ArrayList<>(Arrays.asList(args));
        try {
            if (list.isEmpty()) {
                throw new UsageException("no command given");
            }
            String command = list.remove(0);
            switch (command) {
                case "--help", "-h", "help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--version", "-V", "version" -> {
                    out.println("kaio " + version());
                    return 0;
                }
                case "bench" -> {
                    return bench(list, out, err);
                }
                case "doctor" -> {
                    return doctor(list, out);
                }
                case "soak" -> {
                    return soak(list, out);
                }
                default -> throw new UsageException("unknown command: " + command);
            }
        } catch (UsageException e) {
            err.println("kaio: " + e.getMessage());
            err.println("run 'kaio --help' for usage");
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("kaio: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }

    private static int bench(List<String> args, PrintStream out, PrintStream err) throws UsageException, IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(BenchOptions.USAGE);
            return 0;
        }
        BenchOptions options = BenchOptions.parse(args);
        boolean terminal = out == System.out && System.console() != null && isTerminal();
        PrintStream progress = options.progress() && terminal && !options.json() ? err : null;
        BenchResult result = new BenchRunner(options, progress).run();
        out.print(options.json() ? BenchReport.json(result, version()) : BenchReport.text(result));
        return result.errors == 0 ? 0 : 1;
    }

    private static int soak(List<String> args, PrintStream out) throws UsageException, IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(Soak.USAGE);
            return 0;
        }
        boolean temporary = !args.contains("--file");
        Soak.Settings settings = Soak.parse(args);
        try {
            Soak.Report report = Soak.run(settings);
            out.print(report.text());
            return report.errors() == 0 && report.leakedAioEvents() == 0 ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            if (temporary) {
                java.nio.file.Files.deleteIfExists(settings.file());
            }
        }
    }

    private static boolean isTerminal() {
        try {
            // Console.isTerminal() is Java 22+: true only when stdin and stdout are both a terminal
            return System.console().isTerminal();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int doctor(List<String> args, PrintStream out) throws UsageException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(Doctor.USAGE);
            return 0;
        }
        boolean json = false;
        List<Path> paths = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--json")) {
                json = true;
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown option for kaio doctor: " + a);
            } else {
                paths.add(Path.of(a));
            }
        }
        Doctor.SystemReport system = Doctor.system();
        List<Doctor.PathReport> reports = new ArrayList<>();
        for (Path p : paths) {
            reports.add(Doctor.path(p));
        }
        out.print(json ? Doctor.json(system, reports, version()) : Doctor.text(system, reports));
        boolean failed = !system.available() || reports.stream().anyMatch(r -> r.error() != null);
        return failed ? 1 : 0;
    }

    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
