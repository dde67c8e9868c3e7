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

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kaio doctor [--json] [PATH...]}: the command line of {@link Doctor}. */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"check this system and paths for Linux AIO and O_DIRECT",
            "Checks the system for Linux AIO (kernel, native access, fs.aio-max-nr headroom, the kernel features "
                    + "kaio probes) and, for each PATH (a directory, file or block device): the filesystem, whether "
                    + "O_DIRECT opens, the O_DIRECT alignment and where it came from, and the logical and physical "
                    + "block size of the device under it.",
            "Exit status 1 if Linux AIO is not available or a PATH cannot be checked."},
        usageHelpWidth = 110)
final class DoctorCommand implements Callable<Integer> {

    @Option(names = "--json", description = "print the report as JSON")
    private boolean json;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "a directory, file or block device to check")
    private List<String> paths = new ArrayList<>();

    private final PrintStream out;

    DoctorCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Doctor.SystemReport system = Doctor.system();
        List<Doctor.PathReport> reports = new ArrayList<>();
        for (String p : paths) {
            reports.add(Doctor.path(Path.of(p)));
        }
        out.print(json ? Doctor.json(system, reports, Main.version()) : Doctor.text(system, reports));
        boolean failed = !system.available() || reports.stream().anyMatch(r -> r.error() != null);
        return failed ? 1 : 0;
    }
}
